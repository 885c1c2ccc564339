import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { GATEWAY_IDS, GATEWAY_LABELS, isSecretSetting, type GatewayId } from "../../../../../lib/gateway-settings"
import { resolveSecretBoxKey } from "../../../../../lib/secret-box"
import { configOptionsOf, describeEncryption, describeGateway, paymentGatewaysService, savedSettingsNow } from "../describe-settings"
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
  const saved = await savedSettingsNow(req.scope, gateway)
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

  const configOptions = configOptionsOf(req.scope, gateway)
  const saved = await savedSettingsNow(req.scope, gateway)
  const next = applyPatch(gateway, saved, patch)
  const errors = checkEffectiveSettings(gateway, configOptions, next, patch)
  if (Object.keys(errors).length) return res.status(400).json(invalid(label, errors))

  // Through the plugin module: it seals the secrets, writes the row, and this instance's
  // providers use the change from their next call on (other instances within 20 s).
  const userId = req.auth_context?.actor_id ?? null
  const fresh = await paymentGatewaysService(req.scope).saveGatewaySettings(gateway, patch, { updatedBy: userId })
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  logger.info(`Payment gateways: ${label} settings saved by ${userId ?? "an admin"} (${Object.keys(patch).join(", ") || "no changes"}).`)
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
