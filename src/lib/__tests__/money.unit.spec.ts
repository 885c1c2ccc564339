import { BigNumber } from "@medusajs/framework/utils"
import {
  amountToDecimal,
  currencyDigits,
  decimalToMinorUnits,
  formatAmountForGateway,
  gatewayAmountToMinorUnits,
  minorUnitsToDecimal,
  toMinorUnits,
} from "../money"

describe("money", () => {
  it.each([
    ["eur", 2],
    ["USD", 2],
    ["jpy", 0],
    ["kwd", 3],
  ])("knows %s has %i decimal digits", (code, digits) => {
    expect(currencyDigits(code)).toBe(digits)
  })

  it.each([
    // input, currency, minor units, gateway string
    [21, "eur", 2100n, "21.00"],
    ["21.5", "eur", 2150n, "21.50"],
    [0.1 + 0.2, "eur", 30n, "0.30"],
    ["19.999", "eur", 2000n, "20.00"],
    ["19.994", "eur", 1999n, "19.99"],
    ["1234567890123.45", "usd", 123456789012345n, "1234567890123.45"],
    [1500, "jpy", 1500n, "1500"],
    ["1.2345", "kwd", 1235n, "1.235"],
    [{ value: "5.25", precision: 20 }, "eur", 525n, "5.25"],
    [new BigNumber("32.25"), "usd", 3225n, "32.25"],
  ])("converts %p %s to %p minor units and %p for the gateway", (input, currency, minor, text) => {
    expect(toMinorUnits(input as any, currency)).toBe(minor)
    expect(formatAmountForGateway(input as any, currency)).toBe(text)
  })

  it("normalises Medusa's raw amount objects to plain decimals", () => {
    expect(amountToDecimal({ value: "5.250", precision: 20 } as any)).toBe("5.25")
    expect(amountToDecimal(new BigNumber(30))).toBe("30")
  })

  it("refuses amounts a gateway reports with more precision than the currency has", () => {
    expect(() => gatewayAmountToMinorUnits("10.001", 2)).toThrow(/more than 2 decimal places/)
    expect(gatewayAmountToMinorUnits("10.000", 2)).toBe(1000n)
    expect(gatewayAmountToMinorUnits(49.99, 2)).toBe(4999n)
    expect(gatewayAmountToMinorUnits("100", 2)).toBe(10000n)
  })

  it("rejects text that is not a decimal amount", () => {
    expect(() => decimalToMinorUnits("1e3", 2)).toThrow(/not a decimal amount/)
    expect(() => decimalToMinorUnits("12,50", 2)).toThrow(/not a decimal amount/)
    expect(() => decimalToMinorUnits("", 2)).toThrow(/not a decimal amount/)
  })

  it("formats minor units back to decimals, including negatives and zero-decimal currencies", () => {
    expect(minorUnitsToDecimal(5n, 2)).toBe("0.05")
    expect(minorUnitsToDecimal(-525n, 2)).toBe("-5.25")
    expect(minorUnitsToDecimal(1500n, 0)).toBe("1500")
  })
})
