import { model } from "@medusajs/framework/utils"

/**
 * The durable webhook inbox: one row per gateway event, written BEFORE the webhook
 * route answers. Processing (subscriber + poller) moves it through
 * received → processing → processed | failed → … → dead_letter.
 *
 * Unique per (gateway, event_id): a repeated delivery finds its row and is answered
 * 200 without being processed again. SecPaid sends no event id; it is derived from
 * pay_id + normalised status (`<pay_id>:success`).
 */
export const WEBHOOK_EVENT_STATUSES = ["received", "processing", "processed", "failed", "dead_letter"] as const
export type WebhookEventStatus = (typeof WEBHOOK_EVENT_STATUSES)[number]

export const GATEWAYS = ["secpaid", "payin"] as const
export type GatewayId = (typeof GATEWAYS)[number]

export const WEBHOOK_EVENT_SOURCES = ["webhook", "reconciliation"] as const

export const WebhookEvent = model
  .define("payment_gateway_webhook_event", {
    id: model.id({ prefix: "pgwe" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** The registration the event came in for (`pp_secpaid_eu`); null on rows written before registrations were recorded: the gateway's only one. */
    provider_id: model.text().nullable(),
    event_id: model.text(),
    source: model.enum([...WEBHOOK_EVENT_SOURCES]).default("webhook"),
    /** Gateway event type / claimed status, for the admin list (`order.completed`, `success`). */
    event_type: model.text().nullable(),
    /** The gateway's payment reference (SecPaid pay_id, PayIn order id). */
    reference: model.text().nullable(),
    /** Raw body exactly as received, base64 (PayIn signatures are over these bytes). */
    raw_body: model.text(),
    /** Headers as received, minus cookies/authorization; the signature is kept for re-verification. */
    headers: model.json().nullable(),
    status: model.enum([...WEBHOOK_EVENT_STATUSES]).default("received"),
    /** What processing decided: order_created, session_canceled, ignored_late_cancel, … */
    outcome: model.text().nullable(),
    session_id: model.text().nullable(),
    cart_id: model.text().nullable(),
    order_id: model.text().nullable(),
    attempts: model.number().default(0),
    /**
     * Another delivery of this event arrived while it was being processed. If that
     * processing ends without acting (e.g. a forged SecPaid claim checked before the
     * real payment), the event is processed once more instead of the later delivery
     * being dropped as a duplicate.
     */
    recheck_requested: model.boolean().default(false),
    last_error: model.text().nullable(),
    next_attempt_at: model.dateTime().nullable(),
    locked_until: model.dateTime().nullable(),
    /**
     * When an attempt began whose process died before it ended (the event was taken over
     * from it); cleared once the event is processed. Processing removes what that attempt
     * may have left half made (an order Medusa's cart completion made but never linked).
     */
    interrupted_attempt_at: model.dateTime().nullable(),
    received_at: model.dateTime(),
    processed_at: model.dateTime().nullable(),
  })
  .indexes([
    { on: ["gateway", "event_id"], unique: true },
    { on: ["status", "next_attempt_at"] },
    { on: ["session_id"] },
  ])
