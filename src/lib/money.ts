import { BigNumber as MedusaBigNumber, MathBN } from "@medusajs/framework/utils"
import type { BigNumberInput } from "@medusajs/framework/types"

/**
 * Money helpers. Amounts never pass through a JavaScript float: Medusa hands us
 * BigNumber values (or raw `{ value, precision }` objects), gateways want decimal
 * strings, and comparisons are done on integer minor units (bigint).
 */

/** Decimal digits of the currencies this plugin can be asked about; ISO 4217. */
const ZERO_DECIMAL = new Set([
  "bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg", "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf", "isk",
])
const THREE_DECIMAL = new Set(["bhd", "iqd", "jod", "kwd", "lyd", "omr", "tnd"])

export function currencyDigits(currencyCode: string): number {
  const code = currencyCode.toLowerCase()
  if (ZERO_DECIMAL.has(code)) return 0
  if (THREE_DECIMAL.has(code)) return 3
  return 2
}

const DECIMAL_RE = /^(-)?(\d+)(?:\.(\d+))?$/

/**
 * Normalises whatever Medusa passes as an amount (number, string, BigNumber,
 * raw `{ value, precision }`) into a plain decimal string, e.g. "21.5".
 */
export function amountToDecimal(amount: BigNumberInput | { value: string | number }): string {
  const input =
    amount !== null && typeof amount === "object" && "value" in amount && !(amount instanceof MedusaBigNumber)
      ? (amount as { value: string | number }).value
      : amount
  const bn = MathBN.convert(input as BigNumberInput)
  if (!bn.isFinite()) {
    throw new Error(`The amount ${String(input)} is not a finite number; pass a decimal amount such as "21.50".`)
  }
  // toString(10) never uses exponential notation in bignumber.js.
  return bn.toString(10)
}

/**
 * Converts an amount in major units to integer minor units of the currency,
 * rounding half-up like Medusa's own Stripe provider does for amounts that carry
 * more precision than the currency (e.g. after tax calculations).
 */
export function toMinorUnits(amount: BigNumberInput | { value: string | number }, currencyCode: string): bigint {
  const digits = currencyDigits(currencyCode)
  return decimalToMinorUnits(amountToDecimal(amount), digits, "round-half-up")
}

/**
 * Exact parse of a decimal string ("100", "100.00", "49.9") into minor units.
 * With `mode: "exact"` a value that needs more than `digits` decimals is refused
 * instead of being rounded: used for amounts a gateway reports back to us.
 */
export function decimalToMinorUnits(
  decimal: string,
  digits: number,
  mode: "exact" | "round-half-up" = "exact"
): bigint {
  const m = DECIMAL_RE.exec(decimal.trim())
  if (!m) {
    throw new Error(`"${decimal}" is not a decimal amount; expected digits with an optional fraction such as "21.50".`)
  }
  const [, sign, whole, fraction = ""] = m
  let kept = fraction.slice(0, digits).padEnd(digits, "0")
  const dropped = fraction.slice(digits)
  let minor = BigInt(whole + kept)
  if (/[1-9]/.test(dropped)) {
    if (mode === "exact") {
      throw new Error(`"${decimal}" has more than ${digits} decimal places, which this currency cannot represent.`)
    }
    if (dropped[0] >= "5") minor += 1n
  }
  return sign ? -minor : minor
}

/** Minor units back to a decimal string with exactly `digits` decimals ("2150" → "21.50"). */
export function minorUnitsToDecimal(minor: bigint, digits: number): string {
  const negative = minor < 0n
  const abs = (negative ? -minor : minor).toString().padStart(digits + 1, "0")
  const whole = abs.slice(0, abs.length - digits)
  const fraction = abs.slice(abs.length - digits)
  return (negative ? "-" : "") + (digits > 0 ? `${whole}.${fraction}` : whole)
}

/** The amount as the gateway wants it: a decimal string with the currency's digits ("21.5" EUR → "21.50"). */
export function formatAmountForGateway(amount: BigNumberInput | { value: string | number }, currencyCode: string): string {
  return minorUnitsToDecimal(toMinorUnits(amount, currencyCode), currencyDigits(currencyCode))
}

/**
 * Parses an amount a gateway reported (string or number, e.g. "100.00", 49.99)
 * into minor units. Numbers are read through their shortest decimal string, which
 * is exact for any value a gateway writes with ≤ 15 significant digits.
 */
export function gatewayAmountToMinorUnits(value: string | number, digits: number): bigint {
  const text = typeof value === "number" ? String(value) : value
  return decimalToMinorUnits(text, digits, "exact")
}
