import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { cancelOrderWorkflow } from "@medusajs/medusa/core-flows"
import { z } from "zod"
import { findCartAndOrderForSession } from "../lib/complete-paid-cart"
import { orderHoldsCapturedMoney, paymentCaptureFields } from "../lib/payment-capture"
import type { GatewayId } from "../modules/payment-gateways/models/webhook-event"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"

/**
 * THE rule for an order placed before the gateway confirmed the payment (PayIn
 * `placeOrderBeforeConfirmation`: order awaiting payment, session pending
 * authorization) whose gateway order then expired or failed:
 *
 *  - nothing arrived → the order is cancelled (stock released);
 *  - part of the amount arrived → the order is NOT cancelled: it stays awaiting
 *    payment and a `partial_payment` flag with the received amount tells the
 *    merchant a person must refund or ask for the rest;
 *  - how much arrived is not known → nothing is cancelled (money may be there).
 *
 * An order already cancelled, or holding a captured payment, is left as it is.
 * Callers must have verified the expiry with the gateway. Used by the webhook inbox
 * (decide-webhook-event.ts, through process-gateway-webhook-event.ts) and by the PayIn browser-return route.
 */

export type ExpiredOrderAwaitingPaymentInput = {
  gateway: GatewayId
  /** The registration the payment went through (`pp_payin_crypto`), recorded on a flag. */
  providerId?: string
  sessionId: string
  /** The gateway's id of its order (PayIn order id): the flag's reference. */
  reference: string
  /**
   * What the gateway confirmed received, as its decimal string ("0" when nothing
   * arrived); undefined when the gateway could not say.
   */
  received: string | undefined
  /** The amount the gateway order asked for, as its decimal string (informational). */
  expected?: string
  /** The gateway's currency or token, e.g. "USDC" (informational). */
  currency?: string
  eventId?: string
}

export type ExpiredOrderAwaitingPaymentOutcome =
  /** No order was placed for the session: only the session is concerned. */
  | "no_order"
  | "order_canceled"
  | "order_already_canceled"
  | "order_captured_untouched"
  /** Part arrived: the order stays awaiting payment, flagged `partial_payment`. */
  | "flagged_partial_payment"
  | "order_kept_receipt_unknown"

export type ExpiredOrderAwaitingPaymentResult = {
  outcome: ExpiredOrderAwaitingPaymentOutcome
  canceled: boolean
  cartId?: string
  orderId?: string
}

const gatewayDecimal = z.string().trim().regex(/^\d+(\.\d+)?$/, "expected a non-negative decimal amount such as \"16.125\"")

/** True when a gateway decimal amount is above zero; exact, on the digits (no float). */
export function gatewayDecimalIsPositive(amount: string): boolean {
  return /[1-9]/.test(gatewayDecimal.parse(amount))
}

export async function settleExpiredOrderAwaitingPayment(
  container: MedusaContainer,
  input: ExpiredOrderAwaitingPaymentInput
): Promise<ExpiredOrderAwaitingPaymentResult> {
  const { cartId, orderId } = await findCartAndOrderForSession(container, input.sessionId)
  if (!orderId) return { outcome: "no_order", canceled: false, cartId }
  const order = await orderPaymentState(container, orderId)
  if (!order) return { outcome: "no_order", canceled: false, cartId }
  if (order.status === "canceled") return { outcome: "order_already_canceled", canceled: true, cartId, orderId }
  if (order.captured) return { outcome: "order_captured_untouched", canceled: false, cartId, orderId }

  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  if (input.received === undefined) {
    logger.warn(
      `${input.gateway} order ${input.reference} ended unpaid, but how much arrived is unknown: order ${orderId} is left awaiting payment; check it at the gateway.`
    )
    return { outcome: "order_kept_receipt_unknown", canceled: false, cartId, orderId }
  }
  if (gatewayDecimalIsPositive(input.received)) {
    const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
    await inbox.flagPayment({
      gateway: input.gateway,
      providerId: input.providerId,
      reference: input.reference,
      kind: "partial_payment",
      sessionId: input.sessionId,
      orderId,
      details: {
        received: input.received.trim(),
        expected: input.expected ?? null,
        currency: input.currency ?? null,
        event_id: input.eventId ?? null,
        action: "refund or ask for the rest; the order was not cancelled",
      },
    })
    logger.warn(
      `${input.gateway} order ${input.reference} ended with ${input.received.trim()} of ${input.expected ?? "?"} ${input.currency ?? ""} received: order ${orderId} stays awaiting payment (flagged partial_payment); refund or ask for the rest.`
    )
    return { outcome: "flagged_partial_payment", canceled: false, cartId, orderId }
  }

  await cancelOrderWorkflow(container).run({ input: { order_id: orderId } })
  return { outcome: "order_canceled", canceled: true, cartId, orderId }
}

async function orderPaymentState(container: MedusaContainer, orderId: string): Promise<{ status: string; captured: boolean } | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", ...paymentCaptureFields("payment_collections.payments")],
    filters: { id: orderId },
  })
  const order = data[0] as ({ status: string } & Parameters<typeof orderHoldsCapturedMoney>[0]) | undefined
  if (!order) return undefined
  return { status: order.status, captured: orderHoldsCapturedMoney(order) }
}
