import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { parseAdminListQuery } from "../list-query"

/**
 * GET /admin/payment-gateways/webhook-events — the inbox: every stored gateway event
 * with its status (received, processing, processed, failed, dead_letter), outcome,
 * attempts, last error and next attempt time. `?status=dead_letter` lists the dead letters.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const q = parseAdminListQuery(req.query)
  if (!q.ok) return res.status(400).json({ message: q.message })
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const filters: Record<string, unknown> = {}
  if (q.value.gateway) filters.gateway = q.value.gateway
  if (q.value.status) filters.status = q.value.status.split(",")
  const [events, count] = await inbox.listAndCountWebhookEvents(filters, {
    take: q.value.limit,
    skip: q.value.offset,
    order: { received_at: "DESC" },
    // The raw body stays in the database; the admin sees the verdicts and outcomes.
    select: [
      "id", "gateway", "event_id", "source", "event_type", "reference", "status", "outcome", "session_id", "cart_id",
      "order_id", "attempts", "last_error", "next_attempt_at", "received_at", "processed_at",
    ],
  })
  res.json({ webhook_events: events, count, limit: q.value.limit, offset: q.value.offset })
}
