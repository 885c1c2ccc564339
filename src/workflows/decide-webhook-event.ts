import type { BigNumberValue, PaymentActions } from "@medusajs/framework/types"
import { toMinorUnits } from "../lib/money"
import type { GatewayId } from "../modules/payment-gateways/models/webhook-event"
import type { PaymentFlagInput } from "../modules/payment-gateways/service"
import { CANCEL_OUTCOMES, type WebhookEventOutcome } from "../modules/payment-gateways/webhook-outcome"
import type { ExpiredOrderAwaitingPaymentInput, ExpiredOrderAwaitingPaymentOutcome } from "./settle-expired-order-awaiting-payment"

/**
 * What one stored webhook event (or payment found by reconciliation) means for money,
 * decided with everything it needs passed in (`WebhookEventCollaborators`), so every
 * decision can be tested without a running Medusa. The Medusa-facing side (building the
 * collaborators, claiming and completing the inbox row) is process-gateway-webhook-event.ts.
 *
 *   verify with the gateway →
 *     paid:       flag a payment after a cancel, flag a short payment (no order), else
 *                 complete the cart into an order (or record the payment on the order
 *                 placed before confirmation) unless the order already holds it;
 *     cancelled / failed: ignored for an unknown session or once paid (never backwards),
 *                 else the session is cancelled / marked failed and an unpaid order
 *                 placed before confirmation is settled (cancelled when nothing arrived);
 *     anything else: no action.
 *
 * Errors thrown (the gateway cannot be asked, a verified payment for a session that does
 * not exist, a cart that did not become an order) make the inbox retry the event with
 * backoff and, after the last attempt, keep it as a dead letter.
 */

/** The stored event as the decision sees it. */
export type InboxEvent = {
  id: string
  gateway: GatewayId
  /** The registration the event is for (`pp_secpaid_eu`); recorded on flags. */
  provider_id?: string | null
  event_id: string
  /** The gateway's payment reference (SecPaid pay_id, PayIn order id). */
  reference: string | null
  /** When an earlier attempt at this event began whose process died before it ended (the inbox took the event over). */
  interrupted_attempt_at?: Date | null
}

/** What the gateway confirmed about the event, asked afresh. */
export type GatewayVerdict = {
  action: PaymentActions
  sessionId?: string
  /** The amount paid, in major units, as the provider reported it. */
  amount?: BigNumberValue
}

/** A Medusa payment session. `status` is Medusa's PaymentSessionStatus. */
export type SessionState = {
  id: string
  status: string
  amount: BigNumberValue
  currencyCode: string
  data?: Record<string, unknown> | null
}

/** An order placed from the session's cart; `captured`: it holds captured money (src/lib/payment-capture.ts). */
export type OrderState = { id: string; status: string; captured: boolean }

export type CartAndOrder = { cartId?: string; orderId?: string; order?: OrderState }

/** How much the gateway received for a payment that ended unpaid; `received` undefined when it cannot say. */
export type GatewayReceipt = { received: string | undefined; expected?: string; currency?: string; reference?: string }

export type { PaymentFlagInput }

export interface WebhookEventCollaborators<E extends InboxEvent = InboxEvent> {
  /** Asks the gateway (through its provider) what the stored event means. */
  verify(event: E): Promise<GatewayVerdict>
  /** The payment session, or undefined when no such session exists. */
  findSession(sessionId: string): Promise<SessionState | undefined>
  findCartAndOrder(sessionId: string): Promise<CartAndOrder>
  /** Stored outcomes of this session's events processed before. */
  priorOutcomes(sessionId: string): Promise<string[]>
  /** Completes the cart of a verified payment (Medusa's processPaymentWorkflow); the cart and order afterwards. */
  completeCart(input: { sessionId: string; amount: BigNumberValue; action: "captured" | "authorized" }): Promise<{ cartId?: string; orderId?: string }>
  /** Sets the session's status only (no provider call). */
  setSessionStatus(sessionId: string, status: "canceled" | "error"): Promise<void>
  /** How much arrived at the gateway for a payment it reports as failed. */
  receivedAtGateway(event: InboxEvent, session: SessionState): Promise<GatewayReceipt>
  /** The rule for an unpaid order placed before confirmation whose gateway payment ended (settle-expired-order-awaiting-payment.ts). */
  settleExpiredOrder(input: ExpiredOrderAwaitingPaymentInput): Promise<{ outcome: ExpiredOrderAwaitingPaymentOutcome }>
  /** Records a payment flag for the merchant (once per gateway, reference and kind). */
  flag(input: PaymentFlagInput): Promise<void>
  /**
   * Deletes what a cart completion that began at `since` and died left half made: orders of
   * the cart's contents linked to no cart (src/lib/interrupted-cart-completion.ts).
   */
  removeOrdersLeftByInterruptedCompletion(input: { cartId: string; since: Date }): Promise<{ removed: string[] }>
}

export async function decideWebhookEvent<E extends InboxEvent>(event: E, c: WebhookEventCollaborators<E>): Promise<WebhookEventOutcome> {
  const verdict = await c.verify(event)
  switch (verdict.action) {
    case "captured":
    case "authorized":
      if (!verdict.sessionId) return { kind: "ignored_no_session" }
      return await decidePaid(event, { ...verdict, action: verdict.action, sessionId: verdict.sessionId }, c)
    case "canceled":
    case "failed":
      if (!verdict.sessionId) return { kind: "ignored_no_session" }
      return await decideEnded(event, verdict.sessionId, verdict.action, c)
    default:
      // Unverified claims, pending payments and unsupported events change nothing.
      return { kind: "no_action", action: verdict.action, sessionId: verdict.sessionId }
  }
}

async function decidePaid(
  event: InboxEvent,
  verdict: GatewayVerdict & { action: "captured" | "authorized"; sessionId: string },
  c: Omit<WebhookEventCollaborators, "verify">
): Promise<WebhookEventOutcome> {
  const { sessionId } = verdict
  const session = await c.findSession(sessionId)
  if (!session) {
    throw new Error(
      `The ${event.gateway} payment for session ${sessionId} is verified, but this store has no such payment session; check the payment at the gateway and retry the event from the admin once the session exists.`
    )
  }
  const { cartId, orderId, order } = await c.findCartAndOrder(sessionId)
  const reference = event.reference ?? sessionId

  const priorOutcomes = await c.priorOutcomes(sessionId)
  const cancelledBefore =
    priorOutcomes.some((outcome) => CANCEL_OUTCOMES.includes(outcome)) ||
    session.status === "canceled" ||
    session.status === "error" ||
    order?.status === "canceled"
  if (cancelledBefore) {
    await c.flag({
      gateway: event.gateway,
      providerId: event.provider_id ?? undefined,
      reference,
      kind: "payment_after_cancel",
      sessionId,
      orderId,
      details: { event_id: event.event_id, amount: String(verdict.amount ?? ""), order_status: order?.status ?? null },
    })
    if (order?.status === "canceled") {
      // The order was cancelled as unpaid; money arrived later. The merchant decides (refund or re-open).
      return { kind: "flagged_payment_after_cancel", sessionId, cartId, orderId }
    }
  }

  const amount = verdict.amount ?? session.amount
  const paid = toMinorUnits(amount, session.currencyCode)
  const expected = toMinorUnits(session.amount, session.currencyCode)
  if (paid !== expected) {
    await c.flag({
      gateway: event.gateway,
      providerId: event.provider_id ?? undefined,
      reference,
      kind: paid < expected ? "partial_payment" : "overpayment",
      sessionId,
      orderId,
      details: { event_id: event.event_id, expected_minor: expected.toString(), paid_minor: paid.toString(), currency: session.currencyCode },
    })
    if (paid < expected) return { kind: "flagged_underpayment", sessionId, cartId, orderId }
  }

  if (orderId && order?.captured) return { kind: "already_processed", sessionId, cartId, orderId }

  // An earlier attempt died, perhaps inside Medusa's cart completion: what it made first goes before the cart is completed again.
  if (!orderId && cartId && event.interrupted_attempt_at) {
    await c.removeOrdersLeftByInterruptedCompletion({ cartId, since: event.interrupted_attempt_at })
  }
  const result = await c.completeCart({ sessionId, amount, action: verdict.action })
  if (!result.orderId) {
    throw new Error(
      `The payment for session ${sessionId} is verified, but no order exists for cart ${result.cartId ?? "?"} after processing; check the cart in the admin, the event is retried.`
    )
  }
  const placed = { sessionId, cartId: result.cartId, orderId: result.orderId }
  if (orderId) return { kind: "payment_captured", ...placed }
  return { kind: cancelledBefore ? "order_created_after_cancel" : "order_created", ...placed }
}

async function decideEnded(
  event: InboxEvent,
  sessionId: string,
  action: "canceled" | "failed",
  c: Omit<WebhookEventCollaborators, "verify">
): Promise<WebhookEventOutcome> {
  const session = await c.findSession(sessionId)
  // A gateway order whose session was never saved (the create call timed out after the
  // gateway did the work, and the look-up that follows failed too): nothing in Medusa
  // points at it, so its cancel or expiry has nothing to change. Retrying would only
  // turn the event into a dead letter.
  if (!session) return { kind: "ignored_unknown_session", sessionId }
  const { cartId, orderId, order } = await c.findCartAndOrder(sessionId)

  // Never backwards: once paid, a late cancel/expiry changes nothing.
  if (session.status === "authorized" || session.status === "captured" || order?.captured) {
    return { kind: "ignored_late_cancel", sessionId, cartId, orderId }
  }

  const status = action === "canceled" ? "canceled" : "error"
  if (session.status !== status) await c.setSessionStatus(sessionId, status)

  if (orderId && order && order.status !== "canceled") {
    // Placed before confirmation (pending authorization) and not paid: cancelled only when nothing arrived.
    const settled = await c.settleExpiredOrder({
      gateway: event.gateway,
      providerId: event.provider_id ?? undefined,
      sessionId,
      reference: event.reference ?? sessionId,
      ...(action === "canceled"
        ? // The providers answer CANCELED only for a gateway order that ended with nothing received.
          { received: "0" }
        : await c.receivedAtGateway(event, session)),
      eventId: event.event_id,
    })
    if (settled.outcome === "order_canceled") return { kind: "order_canceled", sessionId, cartId, orderId }
    if (settled.outcome === "flagged_partial_payment") return { kind: "flagged_expired_partially_paid", sessionId, cartId, orderId }
  }
  return { kind: status === "canceled" ? "session_canceled" : "session_error", sessionId, cartId, orderId }
}
