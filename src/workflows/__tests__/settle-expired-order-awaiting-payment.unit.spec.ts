import { gatewayDecimalIsPositive } from "../settle-expired-order-awaiting-payment"

describe("gatewayDecimalIsPositive (did anything arrive?)", () => {
  it.each([
    ["0", false],
    ["0.000000000000000000", false],
    ["000.0", false],
    ["0.000000000000000001", true],
    ["16.125", true],
    [" 3 ", true],
  ])("%s → %s", (amount, positive) => {
    expect(gatewayDecimalIsPositive(amount)).toBe(positive)
  })

  it("refuses text that is not a decimal amount instead of guessing", () => {
    for (const bad of ["", "-1", "1e3", "abc", "1,5"]) expect(() => gatewayDecimalIsPositive(bad)).toThrow()
  })
})
