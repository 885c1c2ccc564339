import type { SandboxContext } from "../context"
import { secPaidTime, type SecPaidLink } from "./state"

/**
 * What a SecPaid admin does by hand, exposed through the control API: approve a
 * refund request (days later, in reality), or open a dispute. Neither sends a webhook.
 */
export function approveSecPaidRefund(ctx: SandboxContext, link: SecPaidLink): SecPaidLink {
  if (!link.refund) throw new Error(`Link ${link.id} has no refund request to approve.`)
  if (link.refund.status === "Approved") return link
  const now = secPaidTime(ctx.clock.now())
  link.refund.status = "Approved"
  link.status = "Refunded"
  const seq = ctx.secpaid.nextTransactionSeq++
  ctx.secpaid.transactions.push({
    environment: link.environment,
    account: link.account,
    pay_id: String(link.id),
    transaction_id: `${now.slice(0, 10).replace(/-/g, "")}-rf-${String(seq).padStart(6, "0")}`,
    amount: link.refund.amount,
    net_amount: link.refund.amount,
    service_fee: "0.00",
    service_fee_psp: "0.00",
    status: "Success",
    recipient_note: link.recipient_note,
    payment_method: "Refund",
    is_refund: "Yes",
    is_dispute: "No",
    is_split_link: link.is_split_link ? "Yes" : "No",
    transaction_type: "Refund",
    created_at: now,
  })
  ctx.persist()
  return link
}

/** A pending pay-in row (see secpaidPay's transactionStatus) settles: its status becomes `Success`. No webhook. */
export function settleSecPaidPayment(ctx: SandboxContext, link: SecPaidLink): SecPaidLink {
  const row = ctx.secpaid.transactions.find((t) => t.pay_id === String(link.id) && t.transaction_type !== "Refund" && t.transaction_type !== "Dispute")
  if (!row) throw new Error(`Link ${link.id} has no pay-in row to settle; pay it first.`)
  row.status = "Success"
  ctx.persist()
  return link
}

/** A chargeback: adds a `Dispute` row with the same pay_id and blocks refund requests. */
export function openSecPaidDispute(ctx: SandboxContext, link: SecPaidLink): SecPaidLink {
  if (link.status !== "Used" && link.status !== "Refunded") throw new Error(`Link ${link.id} is not paid; only paid links can be disputed.`)
  if (link.disputed) return link
  link.disputed = true
  const now = secPaidTime(ctx.clock.now())
  const seq = ctx.secpaid.nextTransactionSeq++
  ctx.secpaid.transactions.push({
    environment: link.environment,
    account: link.account,
    pay_id: String(link.id),
    transaction_id: `${now.slice(0, 10).replace(/-/g, "")}-dp-${String(seq).padStart(6, "0")}`,
    amount: link.amount,
    net_amount: link.amount,
    service_fee: "0.00",
    service_fee_psp: "0.00",
    status: "Pending",
    recipient_note: link.recipient_note,
    payment_method: "Dispute",
    is_refund: "No",
    is_dispute: "Yes",
    is_split_link: link.is_split_link ? "Yes" : "No",
    transaction_type: "Dispute",
    created_at: now,
  })
  ctx.persist()
  return link
}
