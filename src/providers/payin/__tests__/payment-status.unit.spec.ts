import { PaymentSessionStatus } from "@medusajs/framework/utils"
import { formatAmountForGateway } from "../../../lib/money"
import { payInOrderToPaymentState, payInUnitsToDecimal, payInDecimalToUnits } from "../payment-status"
import type { PayInOrder } from "../responses"

const order = (status: string, amount: string, confirmedReceived: string): PayInOrder => ({
  id: "o1",
  orderReference: "payses_1",
  status,
  amount,
  confirmedReceived,
  token: "USDC",
})

describe("payInOrderToPaymentState", () => {
  const table: Array<[string, string, string, boolean, PaymentSessionStatus, boolean, string[]]> = [
    // status, amount, received, placeOrderBeforeConfirmation, → status, paid, flags
    ["completed", "32.25", "32.25", false, PaymentSessionStatus.CAPTURED, true, []],
    ["completed", "32.25", "32.250000", false, PaymentSessionStatus.CAPTURED, true, []],
    ["completed", "32.25", "40", false, PaymentSessionStatus.CAPTURED, true, ["overpaid"]],
    ["completed", "32.25", "32.249999999999999999", false, PaymentSessionStatus.ERROR, false, ["completed_short"]],
    ["pending", "32.25", "0", false, PaymentSessionStatus.PENDING, false, []],
    ["pending", "32.25", "10", false, PaymentSessionStatus.PENDING, false, []],
    ["pending", "32.25", "0", true, PaymentSessionStatus.PENDING_AUTHORIZATION, false, []],
    ["expired", "32.25", "0", false, PaymentSessionStatus.CANCELED, false, []],
    ["expired", "32.25", "0", true, PaymentSessionStatus.CANCELED, false, []],
    ["expired", "32.25", "10.5", false, PaymentSessionStatus.ERROR, false, ["partial_payment"]],
    ["failed", "32.25", "0", false, PaymentSessionStatus.ERROR, false, []],
    ["overpaid", "32.25", "40", false, PaymentSessionStatus.PENDING, false, ["unknown_status"]],
    ["underpaid", "32.25", "1", false, PaymentSessionStatus.PENDING, false, ["unknown_status"]],
    ["paid", "32.25", "32.25", false, PaymentSessionStatus.PENDING, false, ["unknown_status"]],
  ]

  it.each(table)("%s amount %s received %s (on-hold %s) → %s", (status, amount, received, onHold, expected, paid, flags) => {
    const state = payInOrderToPaymentState(order(status, amount, received), { placeOrderBeforeConfirmation: onHold })
    expect(state.status).toBe(expected)
    expect(state.paid).toBe(paid)
    expect(state.facts.flags).toEqual(flags)
    expect(state.facts.confirmed_received).toBe(received)
  })

  it("records the overpaid amount exactly", () => {
    const state = payInOrderToPaymentState(order("completed", "32.25", "32.250000000000000001"), { placeOrderBeforeConfirmation: false })
    expect(state.facts.overpaid_amount).toBe("0.000000000000000001")
    expect(payInOrderToPaymentState(order("completed", "32.25", "40"), { placeOrderBeforeConfirmation: false }).facts.overpaid_amount).toBe("7.75")
  })

  it("flags money that arrives after the Medusa payment was cancelled", () => {
    const state = payInOrderToPaymentState(order("completed", "32.25", "32.25"), { placeOrderBeforeConfirmation: false, canceledLocally: true })
    expect(state.facts.flags).toEqual(["payment_after_cancel"])
    expect(state.status).toBe(PaymentSessionStatus.CAPTURED)
    const nothing = payInOrderToPaymentState(order("expired", "32.25", "0"), { placeOrderBeforeConfirmation: false, canceledLocally: true })
    expect(nothing.facts.flags).toEqual([])
  })
})

describe("money formatting for PayIn", () => {
  it.each([
    [32.25, "usd", "32.25"],
    ["32.25", "usd", "32.25"],
    [{ value: "21.5", precision: 20 }, "usd", "21.50"],
    [0.1 + 0.2, "usd", "0.30"],
    ["19.999", "usd", "20.00"],
    [1000000, "usd", "1000000.00"],
  ])("formatAmountForGateway(%p, %s) → %s", (amount, currency, expected) => {
    expect(formatAmountForGateway(amount as never, currency)).toBe(expected)
  })

  it("compares stablecoin amounts in 1e-18 units", () => {
    expect(payInDecimalToUnits("1")).toBe(10n ** 18n)
    expect(payInDecimalToUnits("0.000000000000000001")).toBe(1n)
    expect(payInUnitsToDecimal(10n ** 18n * 2n)).toBe("2")
    expect(payInUnitsToDecimal(775n * 10n ** 16n)).toBe("7.75")
    expect(() => payInDecimalToUnits("0.0000000000000000001")).toThrow()
  })
})
