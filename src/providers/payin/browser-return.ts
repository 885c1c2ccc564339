import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import type { StorefrontPaymentOutcome } from "../../lib/storefront-redirect"
import type { CompletePaidCartInput, CompletePaidCartResult } from "../../lib/complete-paid-cart"
import type { PayInClient } from "./client"
import type { PayInOptions } from "./options"
import { payInOrderToPaymentState } from "./payment-status"
import { sessionIdOfOrder } from "./responses"

/**
 * What happens when PayIn sends the shopper's browser back (`successUrl`/`cancelUrl`).
 * The query string PayIn appends is forgeable and ignored: the order is fetched from
 * PayIn, and only a verified payment completes the cart. With
 * `placeOrderBeforeConfirmation` a still-pending order also becomes an order, awaiting
 * payment (the webhook or a later check captures it); when such an order expires, the
 * shared rule applies: cancelled when nothing arrived, kept and flagged when part did.
 */

export type PayInReturnDeps = {
  /** The session as Medusa stores it. */
  session: { id: string; provider_id: string; data: Record<string, unknown> | null | undefined }
  options: PayInOptions
  client: Pick<PayInClient, "getOrder">
  completePaidCart: (input: CompletePaidCartInput) => Promise<CompletePaidCartResult>
  findCartAndOrder: () => Promise<CompletePaidCartResult>
  /**
   * The one rule for an order placed before confirmation whose PayIn order expired
   * (settleExpiredOrderAwaitingPayment): cancelled when nothing arrived, kept awaiting
   * payment and flagged `partial_payment` when part arrived.
   */
  settleExpiredOrderAwaitingPayment: (expiry: {
    reference: string
    received: string
    expected: string
    currency?: string
  }) => Promise<CompletePaidCartResult & { canceled: boolean }>
  logger: { warn(msg: string): void; error(msg: string): void }
}

export type PayInReturnResult = {
  status: StorefrontPaymentOutcome
  /** PayIn's own status ("expired" is reported to the storefront as status canceled + payin_status expired). */
  payinStatus?: string
  cartId?: string
  orderId?: string
}

export async function handlePayInBrowserReturn(deps: PayInReturnDeps): Promise<PayInReturnResult> {
  const { session, options, client, logger } = deps
  const orderId = typeof session.data?.payin_order_id === "string" ? session.data.payin_order_id : undefined
  if (!orderId) {
    logger.warn(`PayIn return for session ${session.id}: the session has no PayIn order; nothing to verify.`)
    return { status: "failed", ...(await deps.findCartAndOrder()) }
  }

  const order = await client.getOrder(orderId)
  if (sessionIdOfOrder(order) !== session.id) {
    logger.warn(`PayIn return for session ${session.id}: order ${order.id} belongs to reference ${order.orderReference}; refused.`)
    return { status: "failed", ...(await deps.findCartAndOrder()) }
  }
  const state = payInOrderToPaymentState(order, { placeOrderBeforeConfirmation: options.placeOrderBeforeConfirmation })

  const placeOrder = async (action: CompletePaidCartInput["action"], onFailure: StorefrontPaymentOutcome) => {
    try {
      const placed = await deps.completePaidCart({ sessionId: session.id, amount: order.amount, action })
      return { status: placed.orderId ? undefined : onFailure, ...placed }
    } catch (error) {
      // The webhook path may still place the order; the shopper is told it is not confirmed yet.
      logger.error(
        `PayIn return for session ${session.id}: order ${order.id} is ${order.status} but the cart could not be completed (${
          error instanceof Error ? error.message : String(error)
        }).`
      )
      return { status: onFailure, ...(await deps.findCartAndOrder()) }
    }
  }

  if (state.paid) {
    const placed = await placeOrder(PaymentActions.SUCCESSFUL, "pending")
    return { status: placed.status ?? "paid", payinStatus: order.status, cartId: placed.cartId, orderId: placed.orderId }
  }
  if (order.status === "pending" && options.placeOrderBeforeConfirmation) {
    // Not paid: the order is placed awaiting payment, like WooCommerce's "on hold".
    const placed = await placeOrder(PaymentActions.AUTHORIZED, "pending")
    return { status: "pending", payinStatus: order.status, cartId: placed.cartId, orderId: placed.orderId }
  }
  if (order.status === "expired" && options.placeOrderBeforeConfirmation) {
    const settled = await deps.settleExpiredOrderAwaitingPayment({
      reference: order.id,
      received: order.confirmedReceived,
      expected: order.amount,
      currency: order.token,
    })
    // Part received: the order stays awaiting payment (flagged), and the shopper is told the payment failed.
    const status: StorefrontPaymentOutcome = settled.canceled && state.status === PaymentSessionStatus.CANCELED ? "canceled" : "failed"
    return { status, payinStatus: order.status, cartId: settled.cartId, orderId: settled.orderId }
  }
  const status: StorefrontPaymentOutcome =
    order.status === "expired" && state.facts.flags.length === 0
      ? "canceled"
      : order.status === "expired" || order.status === "failed"
        ? "failed"
        : "pending"
  return { status, payinStatus: order.status, ...(await deps.findCartAndOrder()) }
}
