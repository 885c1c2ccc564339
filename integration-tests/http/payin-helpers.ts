import type { MedusaContainer } from "@medusajs/framework/types"
import type { AxiosInstance } from "axios"
import { createCartReadyForPayment, startPaymentSession } from "../helpers/checkout"
import { sandbox, waitForOrder } from "../helpers/orders"
import type { StoreFixture } from "../helpers/store-fixture"

/** Shared steps of the PayIn HTTP suites: a USD checkout with a PayIn session, and what Medusa made of it. */

export const PAYIN_PROVIDER = "pp_payin_payin"

export { countOrders, orderForCart, paymentSession, sandbox, waitForOrder } from "../helpers/orders"

/** Medusa's core webhook route for the `payin` registration. */
export function coreWebhookUrl(registration = "payin_payin"): string {
  return `${process.env.MEDUSA_BACKEND_URL}/hooks/payment/${registration}`
}

export async function payInCheckout(api: AxiosInstance, fixture: StoreFixture, providerId = PAYIN_PROVIDER) {
  const cart = await createCartReadyForPayment(api, fixture, { currency: "usd" })
  const { session } = await startPaymentSession(api, fixture, cart.id, providerId)
  return { cartId: cart.id as string, sessionId: session.id as string, orderId: session.data.payin_order_id as string, session }
}

/** Captured in Medusa: the order's payment collection holds a payment with a capture. */
export function isCaptured(order: any): boolean {
  const payment = order?.payment_collections?.[0]?.payments?.[0]
  return !!payment && (payment.captures?.length ?? 0) > 0 && order.payment_collections[0].status === "completed"
}

/**
 * Medusa's core webhook route answers 200 at once and processes the event 5 s later,
 * in arrival order. To know that webhooks sent earlier have been handled, pay a second
 * cart in full and wait for its order: its webhook is processed after theirs.
 */
export async function settleEarlierWebhooks(api: AxiosInstance, container: MedusaContainer, fixture: StoreFixture) {
  const sentinel = await payInCheckout(api, fixture)
  await sandbox().payinTransfer(sentinel.orderId, { amount: "32.25" })
  await waitForOrder(container, sentinel.cartId)
  return sentinel
}
