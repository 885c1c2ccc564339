import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { parseAdminListQuery } from "../list-query"

/**
 * GET /admin/payment-gateways/webhook-deliveries — the delivery log: every HTTP
 * delivery to /hooks/secpaid and /hooks/payin with its verdict (accepted, duplicate,
 * signature_missing/mismatch/replayed, parse_error, too_large, store_failed) and
 * redacted headers. `?status=` filters by verdict.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const q = parseAdminListQuery(req.query)
  if (!q.ok) return res.status(400).json({ message: q.message })
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const filters: Record<string, unknown> = {}
  if (q.value.gateway) filters.gateway = q.value.gateway
  if (q.value.status) filters.verdict = q.value.status.split(",")
  const [deliveries, count] = await inbox.listAndCountWebhookDeliveries(filters, {
    take: q.value.limit,
    skip: q.value.offset,
    order: { received_at: "DESC" },
  })
  res.json({ webhook_deliveries: deliveries, count, limit: q.value.limit, offset: q.value.offset })
}
