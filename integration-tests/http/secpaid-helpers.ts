import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import type { AxiosInstance } from "axios"
import { createCartReadyForPayment, startPaymentSession } from "../helpers/checkout"
import { sandbox, waitForOrder } from "../helpers/orders"
import type { StoreFixture } from "../helpers/store-fixture"

/** Shared steps of the SecPaid HTTP suites: a EUR checkout with a SecPaid session, and what Medusa made of it. */

export const SECPAID_PROVIDER = "pp_secpaid_secpaid"

export { countOrders, orderForCart, ordersForCart, paymentSession, sandbox, waitForOrder } from "../helpers/orders"

/**
 * The plugin's durable webhook route of a registration (`id` in medusa-config.ts): the
 * provider's default payment_endpoint. `null` for the bare `/hooks/secpaid`.
 */
export function secPaidWebhookUrl(registrationId: string | null = "secpaid"): string {
  return `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid${registrationId === null ? "" : `/${registrationId}`}`
}

export async function secPaidCheckout(api: AxiosInstance, fixture: StoreFixture, providerId = SECPAID_PROVIDER) {
  const cart = await createCartReadyForPayment(api, fixture, { currency: "eur" })
  const { session, collectionId } = await startPaymentSession(api, fixture, cart.id, providerId, { cart_id: cart.id })
  return { cartId: cart.id as string, sessionId: session.id as string, payId: session.data.pay_id as string, session, collectionId }
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
