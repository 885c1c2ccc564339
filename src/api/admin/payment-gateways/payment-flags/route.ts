import { adminListRoute } from "../list-query"

/**
 * GET /admin/payment-gateways/payment-flags — payments the merchant must look at
 * (payment_after_cancel, amount_mismatch, partial_payment, overpayment).
 * `?status=open` lists unresolved ones only.
 */
export const GET = adminListRoute("payment_flags", (inbox, q, { filters, take, skip }) =>
  inbox.listAndCountPaymentFlags(
    { ...filters, ...(q.status === "open" ? { resolved_at: null } : {}) },
    { take, skip, order: { created_at: "DESC" } }
  )
)
