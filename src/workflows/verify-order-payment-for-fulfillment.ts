import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { isPaymentFullyCaptured, paymentCaptureFields } from "../lib/payment-capture"
import { gatewayOfProvider, resolveGatewayProvider } from "../modules/payment-gateways/gateway-providers"

/**
 * The fulfillment guard: an order paid through SecPaid or PayIn may be fulfilled only
 * when its payment is captured in Medusa AND the gateway itself confirms it as paid
 * (asked now, through the provider's getPaymentStatus). Fails closed: if the gateway
 * cannot be asked, fulfillment waits. Orders of other providers are not judged here.
 */
export type FulfillmentPaymentCheck = { ok: true } | { ok: false; reason: string }

const GATEWAY_NAMES = { secpaid: "SecPaid", payin: "PayIn" } as const

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
  const sessions = collections.flatMap((c) => c?.payment_sessions ?? []).filter((s: any) => gatewayOfProvider(s?.provider_id ?? ""))
  const payments = collections
    .flatMap((c) => c?.payments ?? [])
    .filter((p: any) => gatewayOfProvider(p?.provider_id ?? "") && !p?.canceled_at)
  if (!sessions.length && !payments.length) return { ok: true }

  const label = `Order ${order.display_id ?? order.id}`
  if (!payments.length) {
    const gateway = GATEWAY_NAMES[gatewayOfProvider(sessions[0].provider_id)!]
    return {
      ok: false,
      reason: `${label} cannot be fulfilled: its ${gateway} payment has not been confirmed yet (no payment was authorized or captured); wait for the payment to arrive or check it in ${gateway}.`,
    }
  }
  for (const payment of payments) {
    const gatewayId = gatewayOfProvider(payment.provider_id)!
    const gateway = GATEWAY_NAMES[gatewayId]
    if (!isPaymentFullyCaptured(payment)) {
      return { ok: false, reason: `${label} cannot be fulfilled: its ${gateway} payment ${payment.id} is not captured; capture it or wait for ${gateway} to confirm it.` }
    }
    const provider = resolveGatewayProvider(container, gatewayId)
    if (!provider?.getPaymentStatus) {
      return { ok: false, reason: `${label} cannot be fulfilled: the ${gateway} provider is not configured on this store, so the payment cannot be verified; register it in medusa-config.ts.` }
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
