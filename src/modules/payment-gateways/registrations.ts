import type { GatewayId } from "./models/webhook-event"

/**
 * A gateway provider as the store registered it in the payment module:
 *
 *   { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "eu", options: {…} }
 *
 * Medusa names it `pp_<identifier>_<id>` (`pp_secpaid_eu`; `pp_secpaid` without an id).
 * The provider id is the registration's identity everywhere in the plugin (settings,
 * inbox rows, URLs carry the `id` part), so a store may register a gateway under any
 * id and any number of times (one SecPaid account per region, a marketplace account
 * beside the shop's own).
 */
export type GatewayRegistration = {
  gateway: GatewayId
  /** The `id` of the registration in medusa-config.ts; "" when it has none. */
  registrationId: string
  /** Medusa's payment provider id, `pp_<gateway>_<registrationId>`. */
  providerId: string
}

const GATEWAYS: readonly GatewayId[] = ["secpaid", "payin"]

/** The registration behind a payment provider id, or undefined for a provider that is not one of this plugin's gateways. */
export function registrationOfProviderId(providerId: string): GatewayRegistration | undefined {
  for (const gateway of GATEWAYS) {
    const prefix = `pp_${gateway}`
    if (providerId === prefix) return { gateway, registrationId: "", providerId }
    if (providerId.startsWith(`${prefix}_`) && providerId.length > prefix.length + 1) {
      return { gateway, registrationId: providerId.slice(prefix.length + 1), providerId }
    }
  }
  return undefined
}

/** The provider id Medusa gives a registration of `gateway` with this `id`. */
export function providerIdOf(gateway: GatewayId, registrationId: string): string {
  return registrationId ? `pp_${gateway}_${registrationId}` : `pp_${gateway}`
}

/** A registration id that can stand in a URL path segment as it is. */
export function isUrlSafeRegistrationId(registrationId: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/.test(registrationId)
}

type ProviderEntry = { resolve?: unknown; id?: unknown; options?: unknown }

/** Every provider entry of every module declaration in medusa-config (`modules` as an object or an array). */
function providerEntries(configModule: unknown): ProviderEntry[] {
  const modules = (configModule as { modules?: unknown } | undefined)?.modules
  const declarations: unknown[] = Array.isArray(modules) ? modules : modules && typeof modules === "object" ? Object.values(modules) : []
  const out: ProviderEntry[] = []
  for (const declaration of declarations) {
    const providers = (declaration as { options?: { providers?: unknown } } | undefined)?.options?.providers
    if (Array.isArray(providers)) out.push(...(providers as ProviderEntry[]).filter((p) => !!p && typeof p === "object"))
  }
  return out
}

/** Whether a provider entry's `resolve` points at this plugin's provider of `gateway` (package path or a local build). */
function resolvesTo(entry: ProviderEntry, gateway: GatewayId): boolean {
  return typeof entry.resolve === "string" && new RegExp(`(^|[/\\\\])${gateway}([/\\\\]index(\\.[cm]?[jt]s)?)?$`).test(entry.resolve)
}

/** The registrations of the plugin's gateways that medusa-config.ts declares, in the order it declares them. */
export function configuredRegistrations(configModule: unknown): Array<GatewayRegistration & { options: Record<string, unknown> }> {
  const out: Array<GatewayRegistration & { options: Record<string, unknown> }> = []
  for (const entry of providerEntries(configModule)) {
    const gateway = GATEWAYS.find((g) => resolvesTo(entry, g))
    if (!gateway) continue
    const registrationId = typeof entry.id === "string" ? entry.id : ""
    const options = entry.options && typeof entry.options === "object" && !Array.isArray(entry.options) ? (entry.options as Record<string, unknown>) : {}
    out.push({ gateway, registrationId, providerId: providerIdOf(gateway, registrationId), options })
  }
  return out
}

/**
 * Which registration a provider instance is. Medusa constructs a provider with its
 * cradle and the `options` object of its medusa-config entry, but not its id; the
 * cradle's `configModule` (a documented container registration) holds the entries.
 * The entry whose `options` is the very object the provider received is its own;
 * failing that (an entry without options), the only entry of the gateway. Undefined
 * when neither identifies it: two registrations of one gateway, one without options.
 */
export function ownRegistration(configModule: unknown, gateway: GatewayId, options: unknown): GatewayRegistration | undefined {
  const candidates = configuredRegistrations(configModule).filter((r) => r.gateway === gateway)
  const byIdentity = providerEntries(configModule).filter((e) => resolvesTo(e, gateway) && e.options !== undefined && e.options === options)
  if (byIdentity.length === 1) {
    const registrationId = typeof byIdentity[0].id === "string" ? byIdentity[0].id : ""
    return { gateway, registrationId, providerId: providerIdOf(gateway, registrationId) }
  }
  if (candidates.length === 1) {
    const { options: _, ...registration } = candidates[0]
    return registration
  }
  return undefined
}

/**
 * `ownRegistration` for a provider's constructor: reads `configModule` from the cradle
 * Medusa hands the provider (a plain object in unit tests, where it may be missing).
 */
export function registrationFromCradle(cradle: unknown, gateway: GatewayId, options: unknown): GatewayRegistration | undefined {
  let configModule: unknown
  try {
    configModule = (cradle as { configModule?: unknown } | undefined)?.configModule
  } catch {
    // An awilix cradle throws for a name it cannot resolve.
    return undefined
  }
  return configModule ? ownRegistration(configModule, gateway, options) : undefined
}
