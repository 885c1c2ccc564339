import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { GatewayId } from "./models/webhook-event"
import { configuredRegistrations, type GatewayRegistration, providerIdOf, registrationOfProviderId } from "./registrations"

/**
 * The registry: the plugin's gateway providers as the payment module registered them
 * (read through its public `listPaymentProviders`), whatever their ids and however
 * many per gateway. Shared code (webhook routes, inbox processing, reconciliation,
 * the admin) finds registrations here instead of assuming `pp_secpaid_secpaid`.
 *
 * Registrations only change when the store restarts with another medusa-config, so a
 * process keeps the list for `REGISTRY_MAX_AGE_MS`: anonymous webhook traffic costs no
 * query for it.
 */
export const REGISTRY_MAX_AGE_MS = 60_000

export type RegisteredGateway = GatewayRegistration & { enabled: boolean }

type PaymentProviderLister = {
  listPaymentProviders(filters?: Record<string, unknown>, config?: Record<string, unknown>): Promise<Array<{ id: string; is_enabled?: boolean }>>
}

let cached: { at: number; lister: PaymentProviderLister; promise: Promise<RegisteredGateway[]> } | undefined

/**
 * Every registration of the plugin's gateways, in provider id order. `enabled` is
 * false for one the store no longer runs with: Medusa 2.21 keeps a provider's row
 * after its entry leaves medusa-config, and leaves it enabled (its loader only
 * re-enables the providers it loads), so the row alone cannot tell; a provider id
 * that medusa-config (`configModule`, a documented container registration) no longer
 * declares counts as gone. Without any declared registration (a config this cannot
 * read) the rows' own flag is used.
 */
export async function listGatewayRegistrations(container: Pick<MedusaContainer, "resolve">, now: number = Date.now()): Promise<RegisteredGateway[]> {
  const lister = container.resolve<PaymentProviderLister>(Modules.PAYMENT)
  if (cached && cached.lister === lister && now - cached.at < REGISTRY_MAX_AGE_MS) return cached.promise
  const declared = new Set(configuredRegistrations(configModuleOf(container)).map((r) => r.providerId))
  const promise = lister.listPaymentProviders({}, { select: ["id", "is_enabled"] }).then((providers) =>
    providers
      .flatMap((p) => {
        const registration = registrationOfProviderId(p.id)
        const enabled = p.is_enabled !== false && (declared.size === 0 || declared.has(p.id))
        return registration ? [{ ...registration, enabled }] : []
      })
      .sort((a, b) => a.providerId.localeCompare(b.providerId))
  )
  const entry = { at: now, lister, promise }
  cached = entry
  // A failed read is not kept.
  promise.catch(() => cached === entry && (cached = undefined))
  return promise
}

function configModuleOf(container: Pick<MedusaContainer, "resolve">): unknown {
  try {
    return container.resolve(ContainerRegistrationKeys.CONFIG_MODULE)
  } catch {
    return undefined
  }
}

export type RegistrationLookup =
  | { ok: true; registration: RegisteredGateway }
  | { ok: false; reason: "unknown" | "ambiguous" | "none"; message: string }

/**
 * The registration a URL names: `/hooks/secpaid/eu` names `pp_secpaid_eu`; the bare
 * `/hooks/secpaid` names the gateway's only registration (a store with several must
 * give each its own URL, and the sentence says so).
 */
export async function findGatewayRegistration(
  container: Pick<MedusaContainer, "resolve">,
  gateway: GatewayId,
  registrationId?: string
): Promise<RegistrationLookup> {
  // A registration removed from medusa-config stays in the payment module, disabled: it receives nothing.
  const all = (await listGatewayRegistrations(container)).filter((r) => r.gateway === gateway && r.enabled)
  if (registrationId !== undefined) {
    const providerId = providerIdOf(gateway, registrationId)
    const registration = all.find((r) => r.providerId === providerId)
    if (registration) return { ok: true, registration }
    return { ok: false, reason: "unknown", message: `This store has no ${gateway} payment provider registered with id "${registrationId}"; check the webhook URL configured at ${gateway}.` }
  }
  if (all.length === 1) return { ok: true, registration: all[0] }
  if (!all.length) return { ok: false, reason: "none", message: `This store has no ${gateway} payment provider registered.` }
  return {
    ok: false,
    reason: "ambiguous",
    message: `This store registers ${gateway} ${all.length} times (${all.map((r) => r.registrationId || "without id").join(", ")}); send to /hooks/${gateway}/<registration id>.`,
  }
}

/** The enabled registrations of `gateway`, in provider id order. */
export async function gatewayRegistrationsOf(container: Pick<MedusaContainer, "resolve">, gateway: GatewayId): Promise<RegisteredGateway[]> {
  return (await listGatewayRegistrations(container)).filter((r) => r.gateway === gateway && r.enabled)
}

/**
 * The registration a stored row (inbox event, issued reference) belongs to: the one it
 * names, or, for a row written before registrations were recorded (`providerId` null),
 * the gateway's only registration. With several registrations such a row is never
 * guessed: the error says which exist and what the merchant can do.
 */
export async function registrationOfStoredRow(
  container: Pick<MedusaContainer, "resolve">,
  gateway: GatewayId,
  providerId: string | null | undefined,
  what: string
): Promise<GatewayRegistration> {
  if (providerId) {
    const registration = registrationOfProviderId(providerId)
    if (registration?.gateway === gateway) return registration
    throw new Error(`${what} names the payment provider ${providerId}, which is not a ${gateway} provider; it cannot be processed, check the row in the database.`)
  }
  const lookup = await findGatewayRegistration(container, gateway)
  if (lookup.ok) {
    const { enabled: _, ...registration } = lookup.registration
    return registration
  }
  if (lookup.reason === "none") {
    throw new Error(`${what} is for ${gateway}, but this store has no ${gateway} payment provider registered; add it to medusa-config.ts and retry it from the admin.`)
  }
  const ids = (await gatewayRegistrationsOf(container, gateway)).map((r) => r.providerId).join(", ")
  throw new Error(
    `${what} was stored before this store recorded registrations and ${gateway} is now registered several times (${ids}), so which one it belongs to is not guessed; retry it from the admin once only the registration it belongs to remains.`
  )
}

/** Forgets the cached list (tests that register providers in between). */
export function forgetGatewayRegistrations(): void {
  cached = undefined
}
