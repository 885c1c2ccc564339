import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { effectiveGatewayOptions, GATEWAY_IDS, GATEWAY_LABELS, type GatewayId } from "../../../../../lib/gateway-settings"
import { configOptionsOf, savedSettingsNow } from "../../settings/describe-settings"
import { applyPatch, checkEffectiveSettings, parseSettingsBody } from "../../settings/settings-request"
import { gatewayAdapter } from "../../../../../modules/payment-gateways/gateway-adapters"

/**
 * POST /admin/payment-gateways/test-connection/:gateway — tries the effective
 * settings, or the values in the body laid over them (the form's unsaved values; the
 * body has the settings shape), against the gateway. Nothing is saved. 200 with
 * `{ ok, message }` whenever the test ran (a refused key is a result, not an error);
 * 400 with field errors when the values cannot make a provider.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const gateway = req.params.gateway as GatewayId
  if (!(GATEWAY_IDS as readonly string[]).includes(gateway)) {
    return res.status(404).json({ type: "not_found", message: `There is no payment gateway "${req.params.gateway}"; use ${GATEWAY_IDS.join(" or ")}.` })
  }
  const label = GATEWAY_LABELS[gateway]
  const parsed = parseSettingsBody(gateway, req.body ?? {})
  if (!parsed.ok) return res.status(400).json({ type: "invalid_data", message: `The ${label} connection test did not run: ${Object.values(parsed.errors).join(" ")}`, errors: parsed.errors })
  const configOptions = configOptionsOf(req.scope, gateway)
  const saved = await savedSettingsNow(req.scope, gateway)
  const next = applyPatch(gateway, saved, parsed.patch)
  const errors = checkEffectiveSettings(gateway, configOptions, next, parsed.patch)
  if (Object.keys(errors).length) {
    return res.status(400).json({ type: "invalid_data", message: `The ${label} connection test did not run: ${Object.values(errors).join(" ")}`, errors })
  }
  const { options } = effectiveGatewayOptions(gateway, configOptions, next)
  const result = await gatewayAdapter(gateway).checkConnection(options)
  res.json({ gateway, ...result, checked_at: new Date().toISOString() })
}
