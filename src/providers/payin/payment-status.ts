import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { decimalToMinorUnits, minorUnitsToDecimal } from "../../lib/money"
import type { PayInOrder } from "./responses"

/**
 * The one place where a PayIn order becomes a Medusa payment status.
 *
 * | PayIn order                                   | Medusa status                                     |
 * |-----------------------------------------------|---------------------------------------------------|
 * | completed, confirmed received ≥ amount        | captured (overpayment recorded)                   |
 * | completed, confirmed received < amount        | error, flag `completed_short` (needs a human)     |
 * | pending                                       | pending, or pending_authorization when the shop   |
 * |                                               | places orders before confirmation                 |
 * | expired, nothing received                     | canceled                                          |
 * | expired, part received                        | error, flag `partial_payment` (refund or top-up)  |
 * | failed                                        | error                                             |
 * | anything else                                 | pending: an unknown status is never "paid"        |
 */

export type PayInFlag = "partial_payment" | "overpaid" | "payment_after_cancel" | "completed_short" | "unknown_status"

export type PayInPaymentState = {
  status: PaymentSessionStatus
  paid: boolean
  /** Merged into the session data so the merchant (and the storefront) can see what PayIn reported. */
  facts: {
    payin_status: string
    confirmed_received: string
    overpaid_amount?: string
    flags: PayInFlag[]
  }
}

/** Stablecoins use up to 18 decimals: compare in 1e-18 units, exactly. */
const UNIT_DIGITS = 18

export function payInDecimalToUnits(decimal: string): bigint {
  return decimalToMinorUnits(decimal, UNIT_DIGITS, "exact")
}

/** "0.750000000000000000" → "0.75"; "2.000000000000000000" → "2". */
export function payInUnitsToDecimal(units: bigint): string {
  const text = minorUnitsToDecimal(units, UNIT_DIGITS)
  return text.includes(".") ? text.replace(/0+$/, "").replace(/\.$/, "") : text
}

export function payInOrderToPaymentState(
  order: PayInOrder,
  options: { placeOrderBeforeConfirmation: boolean; canceledLocally?: boolean }
): PayInPaymentState {
  const amount = payInDecimalToUnits(order.amount)
  const received = payInDecimalToUnits(order.confirmedReceived)
  const flags: PayInFlag[] = []
  const facts = { payin_status: order.status, confirmed_received: order.confirmedReceived, flags } as PayInPaymentState["facts"]
  if (options.canceledLocally && received > 0n) flags.push("payment_after_cancel")

  switch (order.status) {
    case "completed": {
      if (received < amount) {
        flags.push("completed_short")
        return { status: PaymentSessionStatus.ERROR, paid: false, facts }
      }
      if (received > amount) {
        flags.push("overpaid")
        facts.overpaid_amount = payInUnitsToDecimal(received - amount)
      }
      return { status: PaymentSessionStatus.CAPTURED, paid: true, facts }
    }
    case "pending":
      return {
        status: options.placeOrderBeforeConfirmation
          ? PaymentSessionStatus.PENDING_AUTHORIZATION
          : PaymentSessionStatus.PENDING,
        paid: false,
        facts,
      }
    case "expired":
      if (received > 0n) {
        flags.push("partial_payment")
        return { status: PaymentSessionStatus.ERROR, paid: false, facts }
      }
      return { status: PaymentSessionStatus.CANCELED, paid: false, facts }
    case "failed":
      return { status: PaymentSessionStatus.ERROR, paid: false, facts }
    default:
      flags.push("unknown_status")
      return { status: PaymentSessionStatus.PENDING, paid: false, facts }
  }
}
