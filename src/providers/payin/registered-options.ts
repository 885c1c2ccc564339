import { Modules } from "@medusajs/framework/utils"
import { parsePayInOptions, type PayInOptions } from "./options"

/**
 * Provider options live in the payment module's configuration, out of reach of API
 * routes. The browser-return route needs them (PayIn key, return URL, origins), so it
 * reads the registration the session's provider id points at (`pp_payin_<id>`) from
 * the loaded config and validates it exactly as the provider did at boot.
 */
type ProviderEntry = { resolve?: unknown; id?: unknown; options?: unknown }

export function payInOptionsForProviderId(configModule: unknown, providerId: string): PayInOptions | undefined {
  const match = /^pp_payin_(.+)$/.exec(providerId)
  if (!match) return undefined
  const registrationId = match[1]
  const modules = (configModule as { modules?: unknown })?.modules
  const paymentModules: unknown[] = Array.isArray(modules)
    ? modules
    : modules && typeof modules === "object"
      ? [(modules as Record<string, unknown>)[Modules.PAYMENT]]
      : []
  for (const mod of paymentModules) {
    const providers = (mod as { options?: { providers?: unknown } })?.options?.providers
    if (!Array.isArray(providers)) continue
    const entry = (providers as ProviderEntry[]).find(
      (p) => p?.id === registrationId && typeof p.resolve === "string" && /payin/.test(p.resolve)
    )
    if (entry) return parsePayInOptions(entry.options)
  }
  return undefined
}
