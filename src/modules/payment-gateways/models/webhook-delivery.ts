import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * Every HTTP delivery to the webhook routes, accepted or not, for the admin's
 * delivery log ("webhook health"). Headers are redacted before they are stored.
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
    verdict: model.enum([...DELIVERY_VERDICTS]),
    http_status: model.number(),
    /** One sentence: why the verdict (parse reason, signature problem). */
    detail: model.text().nullable(),
    event_id: model.text().nullable(),
    webhook_event_id: model.text().nullable(),
    headers: model.json().nullable(),
    /** The first 2 KB of the body, redacted. */
    body_excerpt: model.text().nullable(),
    body_bytes: model.number().default(0),
    remote_address: model.text().nullable(),
    received_at: model.dateTime(),
  })
  .indexes([{ on: ["gateway", "received_at"] }])
