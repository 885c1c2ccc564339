import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { gatewayAmountToMinorUnits, minorUnitsToDecimal } from "../../lib/money"
import type { SecPaidLinkRow, SecPaidPayInTransaction } from "./responses"

/**
 * The one place that decides what a SecPaid link's state means for Medusa.
 * Evidence is only what SecPaid's API returned (getPayInTransactions rows, and
 * the link lists for cancellation) — never a webhook body or a browser redirect.
 */

const EUR_DIGITS = 2
const PAYMENT_TYPES = new Set(["basic", "split"])

export type SecPaidLinkState = {
  /** The link appears cancelled in SecPaid's link lists. */
  cancelled?: boolean
  /** The link was deleted by us (deleteLink) or is gone from every list. */
  deleted?: boolean
}

export type SecPaidPaymentVerdict = {
  status: PaymentSessionStatus
  /** The verified paid amount as SecPaid wrote it (e.g. "30.00"), when captured. */
  paidAmount?: string
  transactionId?: string
  /** Why the status is `error`, for payment data and logs. */
  reason?: string
  /** Sum of approved refunds (Refund rows), as a decimal string, when there are any. */
  refundedAmount?: string
}

/** A row that is money paid into the link (not a refund or dispute reusing its pay_id). */
export function isPaymentRow(row: SecPaidPayInTransaction): boolean {
  return PAYMENT_TYPES.has((row.transactionType ?? "").trim().toLowerCase()) && !row.isRefund && !row.isDispute
}

export function isRefundRow(row: SecPaidPayInTransaction): boolean {
  const type = (row.transactionType ?? "").trim().toLowerCase()
  return type === "refund" || type === "dispute refund" || (row.isRefund && !PAYMENT_TYPES.has(type))
}

/**
 * Maps the rows of getPayInTransactions(pay_id) (+ what the link lists say) to a
 * PaymentSessionStatus. `expectedAmount` is what this session asked for, in EUR.
 */
export function secPaidPaymentStatus(
  rows: readonly SecPaidPayInTransaction[],
  expectedAmount: string,
  link: SecPaidLinkState = {}
): SecPaidPaymentVerdict {
  const expectedMinor = gatewayAmountToMinorUnits(expectedAmount, EUR_DIGITS)
  const payments = rows.filter(isPaymentRow)
  const successful = payments.filter((r) => r.status.trim().toLowerCase() === "success")
  const refundedAmount = sumRefunds(rows)

  const exact = successful.find((r) => safeMinor(r.amount) === expectedMinor)
  switch (true) {
    case exact !== undefined:
      return { status: PaymentSessionStatus.CAPTURED, paidAmount: exact!.amount, transactionId: exact!.transactionId, refundedAmount }
    case successful.length > 0:
      return {
        status: PaymentSessionStatus.ERROR,
        transactionId: successful[0].transactionId,
        reason: `SecPaid reports a payment of ${successful[0].amount} EUR but this session expects ${expectedAmount} EUR; check the payment in the SecPaid dashboard before shipping or refunding`,
        refundedAmount,
      }
    case payments.length > 0:
      // A Pending row: a bank transfer on its way.
      return { status: PaymentSessionStatus.PENDING, refundedAmount }
    case link.cancelled === true || link.deleted === true:
      return { status: PaymentSessionStatus.CANCELED }
    default:
      return { status: PaymentSessionStatus.PENDING }
  }
}

function safeMinor(amount: string): bigint | undefined {
  try {
    return gatewayAmountToMinorUnits(amount, EUR_DIGITS)
  } catch {
    return undefined
  }
}

function sumRefunds(rows: readonly SecPaidPayInTransaction[]): string | undefined {
  const refunds = rows.filter((r) => isRefundRow(r) && r.status.trim().toLowerCase() === "success")
  if (!refunds.length) return undefined
  let total = 0n
  for (const r of refunds) {
    const minor = safeMinor(r.amount)
    if (minor !== undefined) total += minor < 0n ? -minor : minor
  }
  return minorUnitsToDecimal(total, EUR_DIGITS)
}

/** Finds our link in link-list rows (by id). */
export function findLinkRow(rows: readonly SecPaidLinkRow[], payId: string): SecPaidLinkRow | undefined {
  return rows.find((r) => r.payId === payId)
}

/** The note we write into `recipient_note`, and its parser. */
export const NOTE_PREFIX = "medusa"

export function buildRecipientNote(sessionId: string, cartId?: string): string {
  return cartId ? `${NOTE_PREFIX}:${sessionId} cart:${cartId}` : `${NOTE_PREFIX}:${sessionId}`
}

export function sessionIdFromNote(note: string | undefined): string | undefined {
  const m = /(?:^|\s)medusa:([A-Za-z0-9_-]+)/.exec(note ?? "")
  return m?.[1]
}
