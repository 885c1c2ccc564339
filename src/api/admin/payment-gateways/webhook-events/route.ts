import { adminListRoute } from "../list-query"

/**
 * GET /admin/payment-gateways/webhook-events — the inbox: every stored gateway event
 * with its status (received, processing, processed, failed, dead_letter), outcome,
 * attempts, last error and next attempt time. `?status=dead_letter` lists the dead letters.
 */
export const GET = adminListRoute("webhook_events", (inbox, q, { filters, take, skip }) =>
  inbox.listAndCountWebhookEvents(
    { ...filters, ...(q.status ? { status: q.status.split(",") } : {}) },
    {
      take,
      skip,
      order: { received_at: "DESC" },
      // The raw body stays in the database; the admin sees the verdicts and outcomes.
      select: [
        "id", "gateway", "event_id", "source", "event_type", "reference", "status", "outcome", "session_id", "cart_id",
        "order_id", "attempts", "last_error", "next_attempt_at", "received_at", "processed_at",
      ],
    }
  )
)
