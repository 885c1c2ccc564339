import type { MedusaContainer, WebhookActionResult } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { completePaidCart, findCartAndOrderForSession } from "../lib/complete-paid-cart"
import { currentGatewayCall, runGatewayCall } from "../lib/gateway-call-context"
import { toMinorUnits } from "../lib/money"
import { GATEWAY_PROVIDER_IDS, resolveRefreshedGatewayProvider } from "../modules/payment-gateways/gateway-providers"
import type { GatewayId } from "../modules/payment-gateways/models/webhook-event"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"
import type { WebhookEventResult, WebhookEventRow } from "../modules/payment-gateways/service"
import { settleExpiredOrderAwaitingPayment } from "./settle-expired-order-awaiting-payment"

/**
 * Processing of one stored webhook event: the step after the inbox.
 *
 *   claim (one instance only) → provider.getWebhookActionAndData (the provider
 *   verifies with the gateway) → paid: processPaymentWorkflow (cart → order) |
 *   cancelled/failed: session canceled/error, unpaid order cancelled → record outcome.
 *
 * Failures are recorded with backoff; after `maxAttempts` the event is a dead letter.
 * State never moves backwards: a cancel after a success is ignored, a success after
 * a cancel is flagged for the merchant (and still turned into an order when the
 * cart is open).
 */

export type ProcessWebhookEventResult =
  | { claimed: false }
  | ({ claimed: true; status: "processed" } & WebhookEventResult)
  | { claimed: true; status: "failed" | "dead_letter"; error: string }

/** Outcomes after which a payment session counts as cancelled by the gateway. */
const CANCEL_OUTCOMES = new Set(["session_canceled", "session_error", "order_canceled"])

export async function processGatewayWebhookEvent(container: MedusaContainer, webhookEventId: string): Promise<ProcessWebhookEventResult> {
  // The gateway is asked afresh (no cached verdict); the caller's priority is kept
  // (reconciliation runs as background work).
  for (;;) {
    const result = await runGatewayCall({ ...currentGatewayCall(), freshVerification: true, confirmed: new Map() }, () =>
      processClaimedOnce(container, webhookEventId)
    )
    // Another delivery of the event arrived while this one was checked and came to nothing: check again now.
    if (!result.requeued) return result.result
  }
}

async function processClaimedOnce(
  container: MedusaContainer,
  webhookEventId: string
): Promise<{ result: ProcessWebhookEventResult; requeued?: boolean }> {
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const row = await inbox.claimWebhookEvent(webhookEventId)
  if (!row) return { result: { claimed: false } }
  try {
    const result = await handleWebhookEvent(container, row)
    const stored = await inbox.completeWebhookEvent(row.id, { ...result, acted: !isNoAction(result.outcome) })
    logger.info(
      `${row.gateway} webhook event ${row.event_id} (${row.id}) processed: ${result.outcome}${result.orderId ? `, order ${result.orderId}` : ""}${
        stored === "requeued" ? "; another delivery arrived meanwhile, checking again" : ""
      }.`
    )
    return { result: { claimed: true, status: "processed", ...result }, requeued: stored === "requeued" }
  } catch (error) {
    const message = (error as Error)?.message ?? String(error)
    const status = await inbox.failWebhookEvent(row.id, message)
    const line = `${row.gateway} webhook event ${row.event_id} (${row.id}) failed on attempt ${row.attempts}: ${message}`
    if (status === "dead_letter") logger.error(`${line} — moved to the dead letters; retry it from the admin once the cause is fixed.`)
    else logger.warn(`${line} — it will be retried.`)
    return { result: { claimed: true, status, error: message } }
  }
}

/** Processing that changed nothing: an unverified claim, a pending payment, an unsupported event. */
function isNoAction(outcome: string): boolean {
  return outcome.startsWith("no_action")
}

async function handleWebhookEvent(container: MedusaContainer, row: WebhookEventRow): Promise<WebhookEventResult> {
  const rawBody = Buffer.from(row.raw_body, "base64")
  const action = await actionForStoredEvent(container, row, rawBody)
  const sessionId = typeof action.data?.session_id === "string" ? action.data.session_id : undefined

  switch (action.action) {
    case PaymentActions.SUCCESSFUL:
    case PaymentActions.AUTHORIZED:
      if (!sessionId) return { outcome: "ignored_no_session" }
      return await handlePaid(container, row, sessionId, action)
    case PaymentActions.CANCELED:
    case PaymentActions.FAILED:
      if (!sessionId) return { outcome: "ignored_no_session" }
      return await handleCanceled(container, row, sessionId, action.action)
    default:
      // Unverified claims, pending payments and unsupported events change nothing.
      return { outcome: `no_action_${action.action}`, sessionId }
  }
}

async function handlePaid(
  container: MedusaContainer,
  row: WebhookEventRow,
  sessionId: string,
  action: WebhookActionResult
): Promise<WebhookEventResult> {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const session = await paymentModule.retrievePaymentSession(sessionId)
  const { cartId, orderId } = await findCartAndOrderForSession(container, sessionId)
  const order = orderId ? await orderState(container, orderId) : undefined
  const reference = row.reference ?? sessionId

  const priorOutcomes = await inbox.listProcessedOutcomesForSession(sessionId)
  const cancelledBefore =
    priorOutcomes.some((o) => CANCEL_OUTCOMES.has(o.outcome ?? "")) ||
    session.status === PaymentSessionStatus.CANCELED ||
    session.status === PaymentSessionStatus.ERROR ||
    order?.status === "canceled"
  if (cancelledBefore) {
    await inbox.flagPayment({
      gateway: row.gateway,
      reference,
      kind: "payment_after_cancel",
      sessionId,
      orderId,
      details: { event_id: row.event_id, amount: String(action.data?.amount ?? ""), order_status: order?.status ?? null },
    })
    if (order?.status === "canceled") {
      // The order was cancelled as unpaid; money arrived later. The merchant decides (refund or re-open).
      return { outcome: "flagged_payment_after_cancel", sessionId, cartId, orderId }
    }
  }

  const amount = action.data?.amount ?? session.amount
  const paid = toMinorUnits(amount as never, session.currency_code)
  const expected = toMinorUnits(session.amount as never, session.currency_code)
  if (paid !== expected) {
    await inbox.flagPayment({
      gateway: row.gateway,
      reference,
      kind: paid < expected ? "partial_payment" : "overpayment",
      sessionId,
      orderId,
      details: { event_id: row.event_id, expected_minor: expected.toString(), paid_minor: paid.toString(), currency: session.currency_code },
    })
    if (paid < expected) return { outcome: "flagged_partial_payment", sessionId, cartId, orderId }
  }

  if (order && order.captured) return { outcome: "already_processed", sessionId, cartId, orderId }

  const result = await completePaidCart(container, {
    sessionId,
    amount: amount as never,
    action: action.action === PaymentActions.AUTHORIZED ? PaymentActions.AUTHORIZED : PaymentActions.SUCCESSFUL,
  })
  if (!result.orderId) {
    throw new Error(`The payment for session ${sessionId} is verified, but no order exists for cart ${result.cartId ?? "?"} after processing`)
  }
  return { outcome: orderId ? "payment_captured" : cancelledBefore ? "order_created_after_cancel" : "order_created", sessionId, cartId: result.cartId, orderId: result.orderId }
}

async function handleCanceled(
  container: MedusaContainer,
  row: WebhookEventRow,
  sessionId: string,
  action: string
): Promise<WebhookEventResult> {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const session = await paymentModule.retrievePaymentSession(sessionId).catch((error: unknown) => {
    if ((error as { type?: string })?.type === MedusaError.Types.NOT_FOUND) return undefined
    throw error
  })
  // A gateway order whose session was never saved (the create call timed out after the
  // gateway did the work, and the look-up that follows failed too): nothing in Medusa
  // points at it, so its cancel or expiry has nothing to change. Retrying would only
  // turn the event into a dead letter.
  if (!session) return { outcome: "ignored_unknown_session", sessionId }
  const { cartId, orderId } = await findCartAndOrderForSession(container, sessionId)
  const order = orderId ? await orderState(container, orderId) : undefined

  // Never backwards: once paid, a late cancel/expiry changes nothing.
  if (
    session.status === PaymentSessionStatus.AUTHORIZED ||
    session.status === PaymentSessionStatus.CAPTURED ||
    order?.captured
  ) {
    return { outcome: "ignored_late_cancel", sessionId, cartId, orderId }
  }

  const status = action === PaymentActions.CANCELED ? PaymentSessionStatus.CANCELED : PaymentSessionStatus.ERROR
  if (session.status !== status) {
    // Only the status changes: updatePaymentSession would call the provider's updatePayment.
    await (paymentModule as unknown as { updatePaymentSessions(data: { id: string; status: string }): Promise<unknown> }).updatePaymentSessions({
      id: sessionId,
      status,
    })
  }

  if (order && order.status !== "canceled") {
    // Placed before confirmation (pending authorization) and not paid: cancelled only when nothing arrived.
    const settled = await settleExpiredOrderAwaitingPayment(container, {
      gateway: row.gateway,
      sessionId,
      reference: row.reference ?? sessionId,
      ...(action === PaymentActions.CANCELED
        ? // The providers answer CANCELED only for a gateway order that ended with nothing received.
          { received: "0" }
        : await receivedAtGateway(container, row.gateway, session.data)),
      eventId: row.event_id,
    })
    if (settled.outcome === "order_canceled" || settled.outcome === "flagged_partial_payment") {
      return { outcome: settled.outcome, sessionId, cartId, orderId }
    }
  }
  void row
  return { outcome: status === PaymentSessionStatus.CANCELED ? "session_canceled" : "session_error", sessionId, cartId, orderId }
}

/**
 * How much the gateway received for a payment that FAILED (PayIn: expired with part
 * received, or failed), asked from the gateway itself. Undefined when it cannot say.
 */
async function receivedAtGateway(
  container: MedusaContainer,
  gateway: GatewayId,
  sessionData: Record<string, unknown> | null | undefined
): Promise<{ received: string | undefined; expected?: string; currency?: string; reference?: string }> {
  const payinOrderId = typeof sessionData?.payin_order_id === "string" ? sessionData.payin_order_id : undefined
  if (gateway !== "payin" || !payinOrderId) return { received: undefined }
  const provider = await resolveRefreshedGatewayProvider(container, "payin")
  if (!provider) return { received: undefined }
  const order = await (await provider.gatewayClient()).getOrder(payinOrderId)
  return { received: order.confirmedReceived, expected: order.amount, currency: order.token, reference: order.id }
}

type OrderState = { id: string; status: string; captured: boolean }

async function orderState(container: MedusaContainer, orderId: string): Promise<OrderState | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "payment_collections.payments.id", "payment_collections.payments.captured_at"],
    filters: { id: orderId },
  })
  const order = data[0]
  if (!order) return undefined
  const payments = (order.payment_collections ?? []).flatMap((c: any) => c?.payments ?? [])
  return { id: order.id, status: order.status, captured: payments.some((p: any) => !!p?.captured_at) }
}

/**
 * What the stored event asks for, decided by the gateway's provider with the settings
 * saved in the admin loaded first. A PayIn event's signature was checked by the webhook
 * route before it was stored (a timestamped signature is only valid for 5 minutes, a retry may
 * come hours later), so the provider takes it as verified at ingest and asks PayIn for
 * the order. A SecPaid body is never signed: the provider verifies it with SecPaid.
 */
async function actionForStoredEvent(container: MedusaContainer, row: WebhookEventRow, rawBody: Buffer): Promise<WebhookActionResult> {
  const headers: Record<string, unknown> = { ...(row.headers ?? {}) }
  if (row.gateway === "payin") {
    const provider = await resolveRefreshedGatewayProvider(container, "payin")
    if (!provider) throw new Error("The PayIn provider pp_payin_payin is not registered in the payment module; add it to medusa-config.ts")
    return await provider.actionForStoredEvent({ rawBody, headers })
  }
  // Through the payment module, as Medusa's own route does; the provider loads the admin settings itself.
  const paymentModule = container.resolve(Modules.PAYMENT)
  return await paymentModule.getWebhookActionAndData({
    provider: GATEWAY_PROVIDER_IDS[row.gateway],
    payload: { data: bodyAsData(rawBody), rawData: rawBody, headers },
  })
}

/** What Medusa's own route would pass as `data` (the parsed body); providers prefer `rawData`. */
function bodyAsData(rawBody: Buffer): Record<string, unknown> {
  const text = rawBody.toString("utf8").trim()
  try {
    if (text.startsWith("{")) return JSON.parse(text)
  } catch {
    return {}
  }
  return Object.fromEntries(new URLSearchParams(text))
}

export type { GatewayId }
