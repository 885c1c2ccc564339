import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { AxiosInstance } from "axios"
import { SandboxControl } from "../../sandbox/control-client"
import { createCartReadyForPayment, startPaymentSession, waitFor } from "../helpers/checkout"
import type { StoreFixture } from "../helpers/store-fixture"

/** Shared steps of the SecPaid HTTP suites: a EUR checkout with a SecPaid session, and what Medusa made of it. */

export const SECPAID_PROVIDER = "pp_secpaid_secpaid"

export function sandbox(): SandboxControl {
  const url = process.env.SANDBOX_URL
  if (!url) throw new Error("SANDBOX_URL is not set: run the suite through `npm test` (integration-tests/global-setup.ts).")
  return new SandboxControl(url)
}

/** The plugin's durable webhook route: the provider's default payment_endpoint. */
export function secPaidWebhookUrl(): string {
  return `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid`
}

export async function secPaidCheckout(api: AxiosInstance, fixture: StoreFixture) {
  const cart = await createCartReadyForPayment(api, fixture, { currency: "eur" })
  const { session, collectionId } = await startPaymentSession(api, fixture, cart.id, SECPAID_PROVIDER, { cart_id: cart.id })
  return { cartId: cart.id as string, sessionId: session.id as string, payId: session.data.pay_id as string, session, collectionId }
}

export async function orderForCart(container: MedusaContainer, cartId: string): Promise<any | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  const orderId = links[0]?.order_id
  if (!orderId) return undefined
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "total", "payment_collections.payments.*", "payment_collections.payments.captures.*", "payment_collections.payments.refunds.*"],
    filters: { id: orderId },
  })
  return data[0]
}

export async function ordersForCart(container: MedusaContainer, cartId: string): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data.length
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

/** A payment's stored provider data (the admin API does not return it). */
export async function paymentData(container: MedusaContainer, paymentId: string): Promise<any> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "payment", fields: ["id", "data"], filters: { id: paymentId } })
  return data[0]?.data
}

/** The order's (single) payment is captured in Medusa. */
export function isCaptured(order: any): boolean {
  const payment = order?.payment_collections?.[0]?.payments?.[0]
  return !!payment?.captured_at && (payment.captures ?? []).length > 0
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
 * Medusa's core webhook route answers 200 at once and handles the event 5 s later,
 * in arrival order. To know that webhooks sent earlier were handled, pay another
 * cart and wait for its order: its webhook is processed after theirs.
 */
export async function settleEarlierWebhooks(api: AxiosInstance, container: MedusaContainer, fixture: StoreFixture) {
  const sentinel = await secPaidCheckout(api, fixture)
  await sandbox().secpaidPay(sentinel.payId)
  await waitForOrder(container, sentinel.cartId)
  return sentinel
}

/** The SecPaid provider instance registered in the payment module (as Medusa's own provider service finds it). */
export function secPaidProvider(container: MedusaContainer): any {
  const paymentModule = container.resolve(Modules.PAYMENT) as unknown as { __container__: Record<string, unknown> }
  return paymentModule.__container__[SECPAID_PROVIDER]
}

/** The browser following SecPaid's redirect; never follows our own redirect further. */
export async function followBrowserReturn(api: AxiosInstance, redirectUrl: string) {
  return await api.get(redirectUrl, { maxRedirects: 0, validateStatus: () => true })
}
