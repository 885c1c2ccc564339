import { createHmac } from "node:crypto"
import { SANDBOX_PAYIN_WEBHOOK_SECRET } from "../credentials"
import { newDeliveryId, type OutgoingWebhook } from "../webhook-delivery"
import type { PayInOrder, PayInWebhookEndpoint } from "./state"

/**
 * PayIn webhooks: JSON events signed `X-PayIn-Signature: t=<unix>,v1=<hex HMAC-SHA256(secret, t + "." + body)>`,
 * or, for an endpoint with `signatureForm: "plain"`, `X-PayIn-Signature: <hex HMAC-SHA256(secret, body)>`;
 * retried after 1, 2, 4, 8, 16 s on 5xx / network errors only (the retrying lives in webhook-delivery.ts).
 */

export type PayInEvent = {
  id: string
  type: string
  created_at: string
  data: Record<string, unknown>
}

/** How a webhook sent through the control API should be (mis)signed. */
export type PayInWebhookVariant = "valid" | "forged" | "unsigned" | "wrong-secret" | "replayed"

/** hex(HMAC-SHA256(secret, `${t}.${body}`)) — the `v1` part of the signature header. */
export function signPayInPayload(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex")
}

export function payInSignatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${signPayInPayload(secret, timestamp, body)}`
}

/** hex(HMAC-SHA256(secret, body)) — the whole header in the plain form. */
export function payInPlainSignatureHeader(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex")
}

/** Event ids are deterministic per order and event, so retries and duplicates carry the same id. */
export function payInEventForOrder(order: PayInOrder, type: string, at: string, extra: Record<string, unknown> = {}): PayInEvent {
  const last = order.transfers[order.transfers.length - 1]
  const suffix = type === "transfer.detected" ? `_${order.transfers.length}` : ""
  return {
    id: `evt_${type.replace(/\./g, "_")}_${order.id}${suffix}`,
    type,
    created_at: at,
    data: {
      order_id: order.id,
      order_reference: order.order_reference,
      status: order.status,
      amount: order.amount,
      currency: order.token,
      chain_id: order.chain,
      payment_address: order.address,
      txHash: last?.txHash ?? null,
      confirmations: last?.confirmations ?? 0,
      ...(order.status === "expired" ? { expired_at: order.expired_at } : { completed_at: order.completed_at }),
      confirmed_received: order.confirmed_received,
      ...extra,
    },
  }
}

/** Secret the sandbox uses for "wrong-secret" webhooks. */
export const WRONG_PAYIN_SECRET = "whsec_not_the_configured_secret"

/** Seconds a "replayed" webhook's timestamp lies in the past (receivers must reject > 300 s). */
export const REPLAY_AGE_SECONDS = 600

/**
 * One outgoing webhook per endpoint. The signature timestamp is real wall-clock time,
 * not the sandbox clock: receivers compare it to their own clock, and an advanced
 * sandbox clock would make every webhook look replayed.
 */
export function payInWebhooks(
  event: PayInEvent,
  endpoints: PayInWebhookEndpoint[],
  variant: PayInWebhookVariant = "valid"
): OutgoingWebhook[] {
  const signedBody = JSON.stringify(event)
  // "forged": the body was changed after signing (a tampered order.completed), so the signature no longer matches.
  const body =
    variant === "forged"
      ? JSON.stringify({ ...event, data: { ...event.data, status: "completed", confirmed_received: event.data.amount } })
      : signedBody
  return endpoints.map((endpoint) => {
    const deliveryId = newDeliveryId()
    return {
      gateway: "payin" as const,
      url: endpoint.url,
      eventId: event.id,
      eventType: event.type,
      body,
      retryOn5xx: true,
      note: variant === "valid" ? undefined : `${variant} (payinSendWebhook)`,
      headers: () => {
        const now = Math.floor(Date.now() / 1000)
        const headers: Record<string, string> = {
          "content-type": "application/json",
          "user-agent": "PayIn-Webhook/1.0",
          "x-payin-event-id": event.id,
          "x-payin-event-type": event.type,
          "x-payin-delivery-id": deliveryId,
        }
        if (variant === "unsigned") return headers
        const secret = variant === "wrong-secret" ? WRONG_PAYIN_SECRET : endpoint.secret || SANDBOX_PAYIN_WEBHOOK_SECRET
        // A replay is only detectable by its timestamp, so "replayed" is always the timestamped form.
        if (endpoint.signatureForm === "plain" && variant !== "replayed") {
          headers["x-payin-signature"] = payInPlainSignatureHeader(secret, signedBody)
          return headers
        }
        const t = variant === "replayed" ? now - REPLAY_AGE_SECONDS : now
        headers["x-payin-signature"] = payInSignatureHeader(secret, t, signedBody)
        return headers
      },
    }
  })
}
