import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { GatewayId } from "./models/webhook-event"

/**
 * Provider ids as the payment module registers them (`pp_<identifier>_<id>`) for the
 * registration ids the README documents (`id: "secpaid"`, `id: "payin"`).
 */
export const GATEWAY_PROVIDER_IDS: Record<GatewayId, string> = {
  secpaid: "pp_secpaid_secpaid",
  payin: "pp_payin_payin",
}

export function gatewayOfProvider(providerId: string): GatewayId | undefined {
  return (Object.keys(GATEWAY_PROVIDER_IDS) as GatewayId[]).find((g) => GATEWAY_PROVIDER_IDS[g] === providerId)
}

/**
 * The provider instance living inside the payment module's container.
 *
 * COUPLING, on purpose and in one place: Medusa offers no public way to reach a
 * provider from outside the payment module, and plugin options do not reach routes
 * or jobs. The PayIn webhook secret (signature check in the route), the SecPaid
 * encryption key (parsing) and the gateway clients (batch reconciliation) are read
 * from the provider the shop configured, through `paymentProviderService_.retrieveProvider`
 * of PaymentModuleService in @medusajs/payment 2.21. If that internal name changes,
 * this function is the only thing to adapt.
 */
export function resolveGatewayProvider(container: MedusaContainer, gateway: GatewayId): GatewayProviderInternals | undefined {
  const paymentModule = container.resolve(Modules.PAYMENT) as unknown as {
    paymentProviderService_?: { retrieveProvider(id: string): unknown }
  }
  try {
    return paymentModule.paymentProviderService_?.retrieveProvider(GATEWAY_PROVIDER_IDS[gateway]) as GatewayProviderInternals | undefined
  } catch {
    return undefined
  }
}

/** The provider fields this module reads (protected members of the provider classes). */
export type GatewayProviderInternals = {
  options_?: { webhookSecret?: string; encryptionKey?: string }
  client_?: unknown
  getPaymentStatus?(input: { data?: Record<string, unknown> }): Promise<{ status: string; data?: Record<string, unknown> }>
}
