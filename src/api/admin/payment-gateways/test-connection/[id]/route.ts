import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { effectiveGatewayOptions } from "../../../../../lib/gateway-settings"
import { configOptionsOf, registrationParam, savedSettingsNow } from "../../settings/describe-settings"
import { applyPatch, checkEffectiveSettings, parseSettingsBody } from "../../settings/settings-request"
import { gatewayAdapter } from "../../../../../modules/payment-gateways/gateway-adapters"

/**
 * POST /admin/payment-gateways/test-connection/:id — tries one provider
 * registration's effective settings (`pp_secpaid_eu`, or `secpaid` when SecPaid is
 * registered once), or the values in the body laid over them (the form's unsaved
 * values; the body has the settings shape), against the gateway. Nothing is saved.
 * 200 with `{ ok, message }` whenever the test ran (a refused key is a result, not an
 * error); 400 with field errors when the values cannot make a provider.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const found = await registrationParam(req.scope, req.params.id, "test-connection")
  if (!found.ok) return res.status(found.status).json({ type: found.status === 404 ? "not_found" : "invalid_data", message: found.message })
  const registration = found.registration
  const { gateway, label } = registration
  const parsed = parseSettingsBody(gateway, req.body ?? {})
  if (!parsed.ok) return res.status(400).json({ type: "invalid_data", message: `The ${label} connection test did not run: ${Object.values(parsed.errors).join(" ")}`, errors: parsed.errors })
  const configOptions = configOptionsOf(req.scope, registration)
  const saved = await savedSettingsNow(req.scope, registration)
  const next = applyPatch(gateway, saved, parsed.patch)
  const errors = checkEffectiveSettings(gateway, configOptions, next, parsed.patch)
  if (Object.keys(errors).length) {
    return res.status(400).json({ type: "invalid_data", message: `The ${label} connection test did not run: ${Object.values(errors).join(" ")}`, errors })
  }
  const { options } = effectiveGatewayOptions(gateway, configOptions, next)
  const result = await gatewayAdapter(gateway).checkConnection(options)
  res.json({ gateway, provider_id: registration.providerId, ...result, checked_at: new Date().toISOString() })
}
