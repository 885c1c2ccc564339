import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { AxiosInstance } from "axios"
import { SandboxControl } from "../../sandbox/control-client"
import { createCartReadyForPayment, startPaymentSession, waitFor } from "../helpers/checkout"
import type { StoreFixture } from "../helpers/store-fixture"

/** Shared steps of the PayIn HTTP suites: a USD checkout with a PayIn session, and what Medusa made of it. */

export const PAYIN_PROVIDER = "pp_payin_payin"

export function sandbox(): SandboxControl {
  const url = process.env.SANDBOX_URL
  if (!url) throw new Error("SANDBOX_URL is not set: run the suite through `npm test` (integration-tests/global-setup.ts).")
  return new SandboxControl(url)
}

/** Medusa's core webhook route for the `payin` registration. */
export function coreWebhookUrl(registration = "payin_payin"): string {
  return `${process.env.MEDUSA_BACKEND_URL}/hooks/payment/${registration}`
}

export async function payInCheckout(api: AxiosInstance, fixture: StoreFixture, providerId = PAYIN_PROVIDER) {
  const cart = await createCartReadyForPayment(api, fixture, { currency: "usd" })
  const { session } = await startPaymentSession(api, fixture, cart.id, providerId)
  return { cartId: cart.id as string, sessionId: session.id as string, orderId: session.data.payin_order_id as string, session }
}

export async function orderForCart(container: MedusaContainer, cartId: string): Promise<any | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  const orderId = links[0]?.order_id
  if (!orderId) return undefined
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "payment_status", "total", "payment_collections.status", "payment_collections.payments.*", "payment_collections.payments.captures.*"],
    filters: { id: orderId },
  })
  return data[0]
}

/** Captured in Medusa: the order's payment collection holds a payment with a capture. */
export function isCaptured(order: any): boolean {
  const payment = order?.payment_collections?.[0]?.payments?.[0]
  return !!payment && (payment.captures?.length ?? 0) > 0 && order.payment_collections[0].status === "completed"
}

export async function countOrders(container: MedusaContainer): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ["id"] })
  return data.length
}

export async function paymentSession(container: MedusaContainer, sessionId: string): Promise<any> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "payment_session", fields: ["id", "status", "data", "amount"], filters: { id: sessionId } })
  return data[0]
}

export function waitForOrder(container: MedusaContainer, cartId: string, predicate: (order: any) => boolean = () => true) {
  return waitFor(
    async () => {
      const order = await orderForCart(container, cartId)
      return order && predicate(order) ? order : undefined
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `an order for cart ${cartId}` }
  )
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
