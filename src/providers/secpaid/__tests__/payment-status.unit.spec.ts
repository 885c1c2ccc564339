import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { formatAmountForGateway } from "../../../lib/money"
import { buildRecipientNote, secPaidPaymentStatus, sessionIdFromNote } from "../payment-status"
import type { SecPaidPayInTransaction } from "../responses"

const row = (over: Partial<SecPaidPayInTransaction>): SecPaidPayInTransaction => ({
  payId: "1",
  transactionId: "20261121-pi-1",
  amount: "30.00",
  status: "Success",
  recipientNote: "medusa:payses_1",
  paymentMethod: "card",
  isRefund: false,
  isDispute: false,
  transactionType: "Basic",
  createdAt: "2026-11-21 10:00:00",
  ...over,
})

describe("secPaidPaymentStatus", () => {
  it.each<[string, SecPaidPayInTransaction[], { cancelled?: boolean; deleted?: boolean }, PaymentSessionStatus]>([
    ["no row → pending", [], {}, PaymentSessionStatus.PENDING],
    ["Success Basic, exact amount → captured", [row({})], {}, PaymentSessionStatus.CAPTURED],
    ["Success Split, exact amount as 30 → captured", [row({ transactionType: "Split", amount: "30" })], {}, PaymentSessionStatus.CAPTURED],
    ["Success Basic, 29.99 → error", [row({ amount: "29.99" })], {}, PaymentSessionStatus.ERROR],
    ["Success Basic, 30.01 → error", [row({ amount: "30.01" })], {}, PaymentSessionStatus.ERROR],
    ["Pending Basic (bank transfer) → pending", [row({ status: "Pending" })], {}, PaymentSessionStatus.PENDING],
    ["only a Refund row → pending", [row({ transactionType: "Refund", isRefund: true })], {}, PaymentSessionStatus.PENDING],
    ["only a Dispute row → pending", [row({ transactionType: "Dispute", isDispute: true })], {}, PaymentSessionStatus.PENDING],
    ["Personal QR row never counts", [row({ transactionType: "Personal QR" })], {}, PaymentSessionStatus.PENDING],
    ["row without a type never counts", [row({ transactionType: undefined })], {}, PaymentSessionStatus.PENDING],
    ["cancelled link, no row → canceled", [], { cancelled: true }, PaymentSessionStatus.CANCELED],
    ["deleted link, no row → canceled", [], { deleted: true }, PaymentSessionStatus.CANCELED],
    ["paid then refunded → still captured", [row({}), row({ transactionType: "Refund", isRefund: true, amount: "-10.00" })], {}, PaymentSessionStatus.CAPTURED],
  ])("%s", (_name, rows, link, expected) => {
    expect(secPaidPaymentStatus(rows, "30.00", link).status).toBe(expected)
  })

  it("keeps the reason of an amount mismatch", () => {
    expect(secPaidPaymentStatus([row({ amount: "3.00" })], "30.00").reason).toMatch(/payment of 3.00 EUR but this session expects 30.00 EUR/)
  })

  it("reports the verified amount and approved refunds", () => {
    const verdict = secPaidPaymentStatus([row({}), row({ transactionType: "Refund", isRefund: true, amount: "10.50" })], "30.00")
    expect(verdict).toMatchObject({ paidAmount: "30.00", transactionId: "20261121-pi-1", refundedAmount: "10.50" })
  })
})

describe("money formatting for SecPaid", () => {
  it.each<[unknown, string]>([
    [30, "30.00"],
    [25.5, "25.50"],
    ["0.1", "0.10"],
    [{ value: "5.25", precision: 20 }, "5.25"],
    ["10.005", "10.01"],
    ["1234567890123.45", "1234567890123.45"],
  ])("%j → %s", (amount, expected) => {
    expect(formatAmountForGateway(amount as never, "eur")).toBe(expected)
  })
})

describe("recipient note", () => {
  it("round-trips the session id with and without a cart id", () => {
    expect(sessionIdFromNote(buildRecipientNote("payses_01ABC"))).toBe("payses_01ABC")
    expect(buildRecipientNote("payses_01ABC", "cart_9")).toBe("medusa:payses_01ABC cart:cart_9")
    expect(sessionIdFromNote("medusa:payses_01ABC cart:cart_9")).toBe("payses_01ABC")
    expect(sessionIdFromNote("Invoice #1234")).toBeUndefined()
  })
})
