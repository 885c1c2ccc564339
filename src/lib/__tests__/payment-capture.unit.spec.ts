import { holdsCapturedMoney, isPaymentFullyCaptured, orderHoldsCapturedMoney } from "../payment-capture"

describe("captured payments", () => {
  const full = { captured_at: "2026-12-02T10:00:00Z", captures: [{ id: "capt_1" }] }
  const part = { captured_at: null, captures: [{ id: "capt_1" }] }
  const none = { captured_at: null, captures: [] }

  it("only a payment Medusa captured in full may ship", () => {
    expect(isPaymentFullyCaptured(full)).toBe(true)
    expect(isPaymentFullyCaptured(part)).toBe(false)
    expect(isPaymentFullyCaptured(none)).toBe(false)
    expect(isPaymentFullyCaptured(undefined)).toBe(false)
  })

  it("a part-captured payment still holds money that must never be undone by a late event", () => {
    expect(holdsCapturedMoney(full)).toBe(true)
    expect(holdsCapturedMoney(part)).toBe(true)
    expect(holdsCapturedMoney(none)).toBe(false)
    expect(holdsCapturedMoney(null)).toBe(false)
  })

  it("an order holds captured money when any of its payments does", () => {
    expect(orderHoldsCapturedMoney({ payment_collections: [{ payments: [none] }, { payments: [part] }] })).toBe(true)
    expect(orderHoldsCapturedMoney({ payment_collections: [{ payments: [none, null] }, null] })).toBe(false)
    expect(orderHoldsCapturedMoney({})).toBe(false)
  })
})
