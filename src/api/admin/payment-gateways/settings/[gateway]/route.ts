import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, generateEntityId } from "@medusajs/framework/utils"
import {
  GATEWAY_IDS,
  GATEWAY_LABELS,
  invalidateGatewaySettings,
  isSecretSetting,
  readSavedGatewaySettings,
  secretContext,
  SETTINGS_TABLE,
  type GatewayId,
} from "../../../../../lib/gateway-settings"
import { resolveSecretBoxKey, sealSecret, warnOnceIfDevelopmentKey } from "../../../../../lib/secret-box"
import { resolveGatewayProvider } from "../../../../../modules/payment-gateways/gateway-providers"
import { configOptionsOf, describeEncryption, describeGateway, pgConnection } from "../describe-settings"
import { applyPatch, checkEffectiveSettings, parseSettingsBody } from "../settings-request"

function gatewayParam(req: AuthenticatedMedusaRequest, res: MedusaResponse): GatewayId | undefined {
  const gateway = req.params.gateway
  if ((GATEWAY_IDS as readonly string[]).includes(gateway)) return gateway as GatewayId
  res.status(404).json({ type: "not_found", message: `There is no payment gateway "${gateway}"; use ${GATEWAY_IDS.join(" or ")}.` })
  return undefined
}

/** GET /admin/payment-gateways/settings/:gateway — one gateway, as in the list. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const gateway = gatewayParam(req, res)
  if (!gateway) return
  const saved = await readSavedGatewaySettings(pgConnection(req.scope), gateway)
  res.json({ encryption: describeEncryption(), gateway: describeGateway(req.scope, gateway, saved) })
}

/**
 * POST /admin/payment-gateways/settings/:gateway — saves settings. Per field: absent
 * keeps the saved value, null removes it (medusa-config applies again), a value saves
 * it. 400 with `errors: { field: sentence }` when a field is wrong or the result would
 * not make a working provider. Secrets are sealed before they reach the database, and
 * are refused with the reason when no encryption key is available (production).
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const gateway = gatewayParam(req, res)
  if (!gateway) return
  const label = GATEWAY_LABELS[gateway]
  const parsed = parseSettingsBody(gateway, req.body)
  if (!parsed.ok) return res.status(400).json(invalid(label, parsed.errors))
  const patch = parsed.patch

  const secretNames = Object.keys(patch).filter((name) => isSecretSetting(gateway, name) && patch[name] !== null && patch[name] !== undefined)
  const key = resolveSecretBoxKey()
  if (secretNames.length && !key.ok) {
    return res.status(400).json(invalid(label, Object.fromEntries(secretNames.map((name) => [name, `\`${name}\` cannot be stored: ${key.reason}`]))))
  }

  const pg = pgConnection(req.scope)
  const configOptions = configOptionsOf(req.scope, gateway)
  const saved = await readSavedGatewaySettings(pg, gateway)
  const next = applyPatch(gateway, saved, patch)
  const errors = checkEffectiveSettings(gateway, configOptions, next, patch)
  if (Object.keys(errors).length) return res.status(400).json(invalid(label, errors))

  // Written from the sealed row, so secrets this server cannot open (another key) are kept unless replaced.
  const current = await pg.raw(`SELECT "values", "secrets" FROM ${SETTINGS_TABLE} WHERE gateway = ? AND deleted_at IS NULL`, [gateway])
  const values: Record<string, unknown> = { ...(current.rows[0]?.values ?? {}) }
  const secrets: Record<string, string> = { ...(current.rows[0]?.secrets ?? {}) }
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue
    if (isSecretSetting(gateway, name)) {
      if (value === null) delete secrets[name]
      else if (key.ok) secrets[name] = sealSecret(String(value), secretContext(gateway, name), key.key)
    } else if (value === null) delete values[name]
    else values[name] = value
  }
  const userId = req.auth_context?.actor_id ?? null
  await pg.raw(
    `INSERT INTO ${SETTINGS_TABLE} (id, gateway, "values", "secrets", updated_by, created_at, updated_at)
     VALUES (?, ?, ?::jsonb, ?::jsonb, ?, clock_timestamp(), clock_timestamp())
     ON CONFLICT (gateway) WHERE deleted_at IS NULL
     DO UPDATE SET "values" = EXCLUDED."values", "secrets" = EXCLUDED."secrets", updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()`,
    [generateEntityId(undefined, "pgst"), gateway, JSON.stringify(values), JSON.stringify(secrets), userId]
  )

  // This instance uses the change on its next gateway call; others within 30 s (cache age).
  invalidateGatewaySettings(gateway)
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  if (key.ok) warnOnceIfDevelopmentKey(key.key, (m) => logger.warn(m))
  logger.info(`Payment gateways: ${label} settings saved by ${userId ?? "an admin"} (${Object.keys(patch).join(", ") || "no changes"}).`)
  const provider = resolveGatewayProvider(req.scope, gateway) as { refreshGatewaySettings?: () => Promise<unknown> } | undefined
  await provider?.refreshGatewaySettings?.().catch((error: Error) => logger.warn(`Payment gateways: ${label} provider could not load the saved settings: ${error.message}`))

  const fresh = await readSavedGatewaySettings(pg, gateway)
  res.json({ encryption: describeEncryption(), gateway: describeGateway(req.scope, gateway, fresh, configOptions) })
}

function invalid(label: string, errors: Record<string, string>) {
  const fields = Object.keys(errors)
  return {
    type: "invalid_data",
    message: `The ${label} settings were not saved: ${fields.map((f) => errors[f]).join(" ")}`,
    errors,
  }
}
