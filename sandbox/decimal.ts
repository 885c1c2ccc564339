/**
 * Exact decimal arithmetic for the sandbox's amounts, on bigint units. The plugin's
 * own src/lib/money.ts pulls in Medusa; the sandbox stays a standalone process, so
 * it keeps this small parser instead. Amounts never become JavaScript floats.
 */
const DECIMAL_RE = /^(\d+)(?:\.(\d+))?$/

/** "30.5" at scale 2 → 3050n; undefined if not a plain non-negative decimal or too precise. */
export function parseDecimal(text: string, scale: number): bigint | undefined {
  const m = DECIMAL_RE.exec(text.trim())
  if (!m) return undefined
  const [, whole, fraction = ""] = m
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) return undefined
  return BigInt(whole + fraction.slice(0, scale).padEnd(scale, "0"))
}

/** 3050n at scale 2 → "30.50" (fixed digits). */
export function formatFixed(units: bigint, scale: number): string {
  const negative = units < 0n
  const abs = (negative ? -units : units).toString().padStart(scale + 1, "0")
  const whole = abs.slice(0, abs.length - scale)
  const fraction = abs.slice(abs.length - scale)
  return (negative ? "-" : "") + (scale > 0 ? `${whole}.${fraction}` : whole)
}

/** Like formatFixed but without trailing zeros ("16.125", "32", "0"). */
export function formatTrimmed(units: bigint, scale: number): string {
  const fixed = formatFixed(units, scale)
  return fixed.includes(".") ? fixed.replace(/0+$/, "").replace(/\.$/, "") : fixed
}
