import type { MedusaContainer } from "@medusajs/framework/types"
import type { AxiosInstance } from "axios"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../src/modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../src/modules/payment-gateways/service"
import { createCartReadyForPayment, startPaymentSession, waitFor } from "../helpers/checkout"
import type { StoreFixture } from "../helpers/store-fixture"
import { orderForCart, sandbox } from "./payin-helpers"

/** Shared steps of the durable-inbox suites (inbox-*, reconcile-*, fulfillment-guard-*). */

export const SECPAID_PROVIDER = "pp_secpaid_secpaid"

/** The plugin's webhook route of a gateway: the bare one, or a registration's (`/hooks/secpaid/eu`). */
export const inboxUrl = (gateway: "secpaid" | "payin", registrationId?: string) =>
  `${process.env.MEDUSA_BACKEND_URL}/hooks/${gateway}${registrationId === undefined ? "" : `/${registrationId}`}`

export function inbox(container: MedusaContainer): PaymentGatewaysModuleService {
  return container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
}

export async function secPaidCheckout(api: AxiosInstance, fixture: StoreFixture, providerId = SECPAID_PROVIDER) {
  const cart = await createCartReadyForPayment(api, fixture, { currency: "eur" })
  const { session } = await startPaymentSession(api, fixture, cart.id, providerId)
  return { cartId: cart.id as string, sessionId: session.id as string, payId: String(session.data.pay_id), session }
}

/**
 * Pays the link at the sandbox with its own webhook dropped, so that nothing reaches
 * Medusa's core route; the test then decides what reaches /hooks/secpaid.
 */
export async function paySecPaidLinkSilently(payId: string) {
  const control = sandbox()
  await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: 1 })
  const paid = await control.secpaidPay(payId)
  await control.webhookBehaviour({ gateway: "secpaid", mode: "normal" })
  return paid
}

/** SecPaid's webhook for a link, as the sandbox sends it, to the plugin's route. */
export async function sendSecPaidWebhook(payId: string, status: "success" | "cancel", format?: "form" | "json-flat" | "json-nested", to = inboxUrl("secpaid")) {
  const { deliveries } = await sandbox().secpaidSendWebhook({ payId, status, to, format })
  return deliveries
}

export function waitForWebhookEvent(container: MedusaContainer, filter: Record<string, unknown>, done: (e: any) => boolean, what = "a processed webhook event") {
  return waitFor(
    async () => {
      const events = await inbox(container).listWebhookEvents(filter)
      return events.find(done)
    },
    { timeoutMs: 30_000, intervalMs: 200, what }
  )
}

export function isCaptured(order: any): boolean {
  return (order?.payment_collections ?? []).some((c: any) => (c?.payments ?? []).some((p: any) => !!p?.captured_at))
}

/** The cart's order once its payment is captured. */
export function waitForCapturedOrder(container: MedusaContainer, cartId: string) {
  return waitFor(
    async () => {
      const order = await orderForCart(container, cartId)
      return order && isCaptured(order) ? order : undefined
    },
    { timeoutMs: 30_000, intervalMs: 200, what: `a captured order for cart ${cartId}` }
  )
}

/**
 * The verdicts of the delivery log, one per delivery, oldest first: counts still held in
 * memory are written first, and a row counting N deliveries gives N entries (refused and
 * repeated deliveries beyond the log's allowance are counted, not stored one by one).
 */
export async function deliveryVerdicts(container: MedusaContainer, filter: { gateway?: "secpaid" | "payin" } = {}): Promise<string[]> {
  await inbox(container).webhookDeliveryLog().flush({ includeOpenWindow: true })
  const rows = await inbox(container).listWebhookDeliveries(filter, { order: { received_at: "ASC" } })
  return rows.flatMap((d) => Array<string>(d.repeat_count ?? 1).fill(d.verdict))
}
