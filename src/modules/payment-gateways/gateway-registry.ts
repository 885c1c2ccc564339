import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { GatewayId } from "./models/webhook-event"
import { type GatewayRegistration, providerIdOf, registrationOfProviderId } from "./registrations"

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

/** Every registration of the plugin's gateways, in provider id order. */
export async function listGatewayRegistrations(container: Pick<MedusaContainer, "resolve">, now: number = Date.now()): Promise<RegisteredGateway[]> {
  const lister = container.resolve<PaymentProviderLister>(Modules.PAYMENT)
  if (cached && cached.lister === lister && now - cached.at < REGISTRY_MAX_AGE_MS) return cached.promise
  const promise = lister.listPaymentProviders({}, { select: ["id", "is_enabled"] }).then((providers) =>
    providers
      .flatMap((p) => {
        const registration = registrationOfProviderId(p.id)
        return registration ? [{ ...registration, enabled: p.is_enabled !== false }] : []
      })
      .sort((a, b) => a.providerId.localeCompare(b.providerId))
  )
  const entry = { at: now, lister, promise }
  cached = entry
  // A failed read is not kept.
  promise.catch(() => cached === entry && (cached = undefined))
  return promise
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
  const all = (await listGatewayRegistrations(container)).filter((r) => r.gateway === gateway)
  if (registrationId !== undefined) {
    const providerId = providerIdOf(gateway, registrationId)
    const registration = all.find((r) => r.providerId === providerId)
    if (registration) return { ok: true, registration }
    return { ok: false, reason: "unknown", message: `This store has no ${gateway} payment provider registered with id "${registrationId}".` }
  }
  if (all.length === 1) return { ok: true, registration: all[0] }
  if (!all.length) return { ok: false, reason: "none", message: `This store has no ${gateway} payment provider registered.` }
  return {
    ok: false,
    reason: "ambiguous",
    message: `This store registers ${gateway} ${all.length} times (${all.map((r) => r.registrationId || "without id").join(", ")}); send to /hooks/${gateway}/<registration id>.`,
  }
}

/** Forgets the cached list (tests that register providers in between). */
export function forgetGatewayRegistrations(): void {
  cached = undefined
}
