import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { isPaymentFullyCaptured, paymentCaptureFields } from "../lib/payment-capture"
import { gatewayAdapter } from "../modules/payment-gateways/gateway-adapters"
import { resolveGatewayProvider } from "../modules/payment-gateways/gateway-providers"
import { registrationOfProviderId } from "../modules/payment-gateways/registrations"

/**
 * The fulfillment guard: an order paid through SecPaid or PayIn may be fulfilled only
 * when its payment is captured in Medusa AND the gateway itself confirms it as paid
 * (asked now, through the getPaymentStatus of the provider the payment went through,
 * whichever registration that is). Fails closed: if the gateway cannot be asked,
 * fulfillment waits. Orders of other providers are not judged here.
 */
export type FulfillmentPaymentCheck = { ok: true } | { ok: false; reason: string }

/** The gateway's name as merchants know it, for a provider id of one of the plugin's registrations. */
const labelOf = (providerId: string) => gatewayAdapter(registrationOfProviderId(providerId)!.gateway).label

export async function verifyOrderPaymentForFulfillment(container: MedusaContainer, orderId: string): Promise<FulfillmentPaymentCheck> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "display_id",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payments.id",
      "payment_collections.payments.provider_id",
      ...paymentCaptureFields("payment_collections.payments"),
      "payment_collections.payments.canceled_at",
      "payment_collections.payments.data",
    ],
    filters: { id: orderId },
  })
  const order = data[0]
  if (!order) return { ok: true } // Medusa's own route answers "not found".
  const collections: any[] = order.payment_collections ?? []
  const sessions = collections.flatMap((c) => c?.payment_sessions ?? []).filter((s: any) => registrationOfProviderId(s?.provider_id ?? ""))
  const payments = collections
    .flatMap((c) => c?.payments ?? [])
    .filter((p: any) => registrationOfProviderId(p?.provider_id ?? "") && !p?.canceled_at)
  if (!sessions.length && !payments.length) return { ok: true }

  const label = `Order ${order.display_id ?? order.id}`
  if (!payments.length) {
    const gateway = labelOf(sessions[0].provider_id)
    return {
      ok: false,
      reason: `${label} cannot be fulfilled: its ${gateway} payment has not been confirmed yet (no payment was authorized or captured); wait for the payment to arrive or check it in ${gateway}.`,
    }
  }
  for (const payment of payments) {
    const registration = registrationOfProviderId(payment.provider_id)!
    const gateway = gatewayAdapter(registration.gateway).label
    if (!isPaymentFullyCaptured(payment)) {
      return { ok: false, reason: `${label} cannot be fulfilled: its ${gateway} payment ${payment.id} is not captured; capture it or wait for ${gateway} to confirm it.` }
    }
    const provider = resolveGatewayProvider(container, registration.gateway, registration.providerId)
    if (!provider?.getPaymentStatus) {
      return {
        ok: false,
        reason: `${label} cannot be fulfilled: its ${gateway} payment went through ${registration.providerId}, which is not registered on this store, so the payment cannot be verified; register it in medusa-config.ts.`,
      }
    }
    let status: string
    try {
      status = (await provider.getPaymentStatus({ data: payment.data ?? {} })).status
    } catch (error) {
      return {
        ok: false,
        reason: `${label} cannot be fulfilled yet: ${gateway} could not confirm payment ${payment.id} just now (${(error as Error).message}); try again in a minute.`,
      }
    }
    if (status !== "captured") {
      return {
        ok: false,
        reason: `${label} cannot be fulfilled: ${gateway} reports payment ${payment.id} as "${status}", not paid; check the payment in ${gateway} before shipping.`,
      }
    }
  }
  return { ok: true }
}
