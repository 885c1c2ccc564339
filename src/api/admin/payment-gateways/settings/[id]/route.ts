import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { isSecretSetting } from "../../../../../lib/gateway-settings"
import { resolveSecretBoxKey } from "../../../../../lib/secret-box"
import {
  configOptionsOf,
  describeEncryption,
  describeGateway,
  paymentGatewaysService,
  registrationParam,
  savedSettingsNow,
  type AdminRegistration,
} from "../describe-settings"
import { applyPatch, checkEffectiveSettings, parseSettingsBody } from "../settings-request"

/** The registration `:id` names (`pp_secpaid_eu`, or `secpaid` when SecPaid is registered once), or the answer already sent. */
async function registrationOf(req: AuthenticatedMedusaRequest, res: MedusaResponse): Promise<AdminRegistration | undefined> {
  const found = await registrationParam(req.scope, req.params.id, "settings")
  if (found.ok) return found.registration
  res.status(found.status).json({ type: found.status === 404 ? "not_found" : "invalid_data", message: found.message })
  return undefined
}

/** GET /admin/payment-gateways/settings/:id — one provider registration, as in the list. */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const registration = await registrationOf(req, res)
  if (!registration) return
  const saved = await savedSettingsNow(req.scope, registration)
  res.json({ encryption: describeEncryption(), gateway: describeGateway(req.scope, registration, saved) })
}

/**
 * POST /admin/payment-gateways/settings/:id — saves one registration's settings. Per
 * field: absent keeps the saved value, null removes it (medusa-config applies again),
 * a value saves it. 400 with `errors: { field: sentence }` when a field is wrong or
 * the result would not make a working provider. Secrets are sealed before they reach
 * the database, and are refused with the reason when no encryption key is available
 * (production).
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const registration = await registrationOf(req, res)
  if (!registration) return
  const { gateway, label } = registration
  const parsed = parseSettingsBody(gateway, req.body)
  if (!parsed.ok) return res.status(400).json(invalid(label, parsed.errors))
  const patch = parsed.patch

  const secretNames = Object.keys(patch).filter((name) => isSecretSetting(gateway, name) && patch[name] !== null && patch[name] !== undefined)
  const key = resolveSecretBoxKey()
  if (secretNames.length && !key.ok) {
    return res.status(400).json(invalid(label, Object.fromEntries(secretNames.map((name) => [name, `\`${name}\` cannot be stored: ${key.reason}`]))))
  }

  const configOptions = configOptionsOf(req.scope, registration)
  const saved = await savedSettingsNow(req.scope, registration)
  const next = applyPatch(gateway, saved, patch)
  const errors = checkEffectiveSettings(gateway, configOptions, next, patch)
  if (Object.keys(errors).length) return res.status(400).json(invalid(label, errors))

  // Through the plugin module: it seals the secrets, writes the registration's row, and this
  // instance's providers use the change from their next call on (other instances within 20 s).
  const userId = req.auth_context?.actor_id ?? null
  const fresh = await paymentGatewaysService(req.scope).saveGatewaySettings(gateway, patch, {
    key: registration.settings.settingsKey,
    fallbackToGatewayRow: registration.settings.fallbackToGatewayRow,
    updatedBy: userId,
  })
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  logger.info(`Payment gateways: ${label} (${registration.providerId}) settings saved by ${userId ?? "an admin"} (${Object.keys(patch).join(", ") || "no changes"}).`)
  res.json({ encryption: describeEncryption(), gateway: describeGateway(req.scope, registration, fresh, configOptions) })
}

function invalid(label: string, errors: Record<string, string>) {
  const fields = Object.keys(errors)
  return {
    type: "invalid_data",
    message: `The ${label} settings were not saved: ${fields.map((f) => errors[f]).join(" ")}`,
    errors,
  }
}
