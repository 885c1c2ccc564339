import type { WebhookEventResult, WebhookEventRow } from "../modules/payment-gateways/service"
import { outcomeActed, storedOutcome, type WebhookEventOutcome } from "../modules/payment-gateways/webhook-outcome"

/**
 * The inbox side of processing one stored event, once: claim the row (one instance
 * only), decide, then record the outcome — or record the failure, which the inbox
 * retries with backoff and, after the last attempt, keeps as a dead letter.
 */

export type ProcessWebhookEventResult =
  | { claimed: false }
  | ({ claimed: true; status: "processed" } & WebhookEventResult)
  | { claimed: true; status: "failed" | "dead_letter"; error: string }

/** The inbox operations processing uses (PaymentGatewaysModuleService). */
export interface InboxPort {
  claimWebhookEvent(id: string): Promise<WebhookEventRow | undefined>
  completeWebhookEvent(id: string, result: WebhookEventResult & { acted?: boolean }): Promise<"processed" | "requeued">
  failWebhookEvent(id: string, error: string): Promise<"failed" | "dead_letter">
}

export type InboxLogger = { info(message: string): void; warn(message: string): void; error(message: string): void }

/** The stored form of a decision: the outcome word and the ids it concerns. */
export function webhookEventResult(outcome: WebhookEventOutcome): WebhookEventResult {
  const { sessionId, cartId, orderId } = outcome as { sessionId?: string; cartId?: string; orderId?: string }
  return {
    outcome: storedOutcome(outcome),
    ...(sessionId !== undefined ? { sessionId } : {}),
    ...(cartId !== undefined ? { cartId } : {}),
    ...(orderId !== undefined ? { orderId } : {}),
  }
}

/**
 * Processes the event once. `requeued` is true when the decision did not act and
 * another delivery of the event arrived meanwhile: the caller processes it again.
 */
export async function runInboxEventOnce(
  deps: { inbox: InboxPort; logger: InboxLogger; decide(row: WebhookEventRow): Promise<WebhookEventOutcome> },
  webhookEventId: string
): Promise<{ result: ProcessWebhookEventResult; requeued?: boolean }> {
  const { inbox, logger } = deps
  const row = await inbox.claimWebhookEvent(webhookEventId)
  if (!row) return { result: { claimed: false } }
  try {
    const outcome = await deps.decide(row)
    const result = webhookEventResult(outcome)
    const stored = await inbox.completeWebhookEvent(row.id, { ...result, acted: outcomeActed(outcome) })
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
