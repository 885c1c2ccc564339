import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { parseAdminListQuery } from "../list-query"

/**
 * GET /admin/payment-gateways/payment-flags — payments the merchant must look at
 * (payment_after_cancel, amount_mismatch, partial_payment, overpayment).
 * `?status=open` lists unresolved ones only.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const q = parseAdminListQuery(req.query)
  if (!q.ok) return res.status(400).json({ message: q.message })
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const filters: Record<string, unknown> = {}
  if (q.value.gateway) filters.gateway = q.value.gateway
  if (q.value.status === "open") filters.resolved_at = null
  const [flags, count] = await inbox.listAndCountPaymentFlags(filters, { take: q.value.limit, skip: q.value.offset, order: { created_at: "DESC" } })
  res.json({ payment_flags: flags, count, limit: q.value.limit, offset: q.value.offset })
}
