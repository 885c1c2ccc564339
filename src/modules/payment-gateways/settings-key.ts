import type { GatewayId } from "./models/webhook-event"
import { configuredRegistrations, type GatewayRegistration } from "./registrations"

/**
 * Which saved settings row a provider registration reads and writes (see
 * gateway-settings-store.ts):
 *
 *  - `settingsKey`: the registration's provider id (`pp_secpaid_eu`), so two
 *    registrations of one gateway keep two sets of keys; the bare gateway id when the
 *    registration is unknown (a provider built outside Medusa, as in unit tests).
 *  - `fallbackToGatewayRow`: settings saved per gateway, before they were kept per
 *    registration, belong to the gateway's only registration; with several, nobody can
 *    tell whose they were, and none uses them.
 */
export type SettingsKeyChoice = { settingsKey: string; fallbackToGatewayRow: boolean }

export function settingsKeyChoice(gateway: GatewayId, registration: Pick<GatewayRegistration, "providerId"> | undefined, registrationsOfGateway: number): SettingsKeyChoice {
  if (!registration) return { settingsKey: gateway, fallbackToGatewayRow: false }
  return { settingsKey: registration.providerId, fallbackToGatewayRow: registrationsOfGateway === 1 }
}

/**
 * `settingsKeyChoice` for a provider's constructor: counts the gateway's
 * registrations in the `configModule` of the cradle Medusa hands the provider.
 */
export function settingsKeyFromCradle(cradle: unknown, gateway: GatewayId, registration: GatewayRegistration | undefined): SettingsKeyChoice {
  if (!registration) return settingsKeyChoice(gateway, undefined, 0)
  let configModule: unknown
  try {
    configModule = (cradle as { configModule?: unknown } | undefined)?.configModule
  } catch {
    // An awilix cradle throws for a name it cannot resolve.
  }
  const count = configuredRegistrations(configModule).filter((r) => r.gateway === gateway).length
  return settingsKeyChoice(gateway, registration, count)
}
