import { adminListRoute } from "../list-query"

/**
 * GET /admin/payment-gateways/webhook-deliveries — the delivery log: every HTTP
 * delivery to /hooks/secpaid and /hooks/payin with its verdict (accepted, duplicate,
 * signature_missing/mismatch/replayed, parse_error, too_large, store_failed) and
 * redacted headers. `?status=` filters by verdict.
 */
export const GET = adminListRoute("webhook_deliveries", (inbox, q, { filters, take, skip }) =>
  inbox.listAndCountWebhookDeliveries(
    { ...filters, ...(q.status ? { verdict: q.status.split(",") } : {}) },
    { take, skip, order: { received_at: "DESC" } }
  )
)
