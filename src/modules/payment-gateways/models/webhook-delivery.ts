import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * HTTP deliveries to the webhook routes, accepted or not, for the admin's delivery log
 * ("webhook health"). Headers are redacted before they are stored.
 *
 * Anyone can post to the routes, so a row is bounded (at most ~3.5 KB on disk; limits in
 * `delivery-log-row.ts`) and rows are bounded in number (`delivery-log-throttle.ts`):
 * every accepted event and failed store has its row; other verdicts get a row each for
 * the first 20 a minute from one source address and 200 a minute per gateway, and the
 * rest of a minute becomes one row per (source, verdict, HTTP status) with
 * `repeat_count` deliveries between `received_at` and `last_received_at`.
 */
export const DELIVERY_VERDICTS = [
  "accepted",
  "duplicate",
  /** A delivery of an event being processed at that moment: processed once more if that ends without acting. */
  "recheck_queued",
  /** A SecPaid claim for a link this store never issued: answered 200, not stored, no SecPaid call. */
  "ignored_unknown_link",
  /** A SecPaid notification whose ResponseCode reports an error, not a payment: answered 200, not processed. */
  "ignored_error_notification",
  "signature_missing",
  "signature_malformed",
  "signature_mismatch",
  "signature_replayed",
  "no_secret_configured",
  "parse_error",
  "too_large",
  "store_failed",
] as const
export type DeliveryVerdict = (typeof DELIVERY_VERDICTS)[number]

export const WebhookDelivery = model
  .define("payment_gateway_webhook_delivery", {
    id: model.id({ prefix: "pgwd" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** The registration the delivery was for (`pp_payin_crypto`); null when no registration could be told (a refused post to the bare URL, counted rows). */
    provider_id: model.text().nullable(),
    verdict: model.enum([...DELIVERY_VERDICTS]),
    http_status: model.number(),
    /** One sentence: why the verdict (parse reason, signature problem). */
    detail: model.text().nullable(),
    event_id: model.text().nullable(),
    webhook_event_id: model.text().nullable(),
    /**
     * At most 30 headers (useful ones first: content type, user agent, forwarding), names
     * up to 64 bytes, values up to 256, 2 KB of JSON in all; the rest counted under "…".
     * Null on a row that counts several deliveries.
     */
    headers: model.json().nullable(),
    /**
     * The first 512 bytes of the body, redacted, as printable text: NUL, other control
     * characters and bytes that are not UTF-8 appear as `\x00`, `\xff`, a backslash as `\\`.
     * Null on a row that counts several deliveries.
     */
    body_excerpt: model.text().nullable(),
    /** Size of the body; on a row that counts several deliveries, the largest of them. */
    body_bytes: model.number().default(0),
    /** The address the route saw (`req.ip`, i.e. X-Forwarded-For behind one proxy); `*` for sources folded together. */
    remote_address: model.text().nullable(),
    /** When the delivery arrived; on a row that counts several, when the first of them did. */
    received_at: model.dateTime(),
    /** Deliveries this row stands for: 1, or more on a row written for deliveries over the per-minute caps. */
    repeat_count: model.number().default(1),
    /** On a row that counts several deliveries, when the last of them arrived. */
    last_received_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["gateway", "received_at"] }])
