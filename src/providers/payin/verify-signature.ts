import crypto from "node:crypto"

/**
 * PayIn webhook signature check, kept free of Medusa so the provider and the
 * durable webhook inbox route answer the same question the same way.
 *
 * Header `X-PayIn-Signature` (hosted cloud: `payin-signature`): `t=<unix seconds>,v1=<hex>`,
 * v1 = hex(HMAC-SHA256(secret, `${t}.${rawBody}`)). The HMAC is computed over the raw
 * bytes as received, never over re-serialised JSON.
 */

export const PAYIN_SIGNATURE_TOLERANCE_SECONDS = 300

export const PAYIN_SIGNATURE_VERDICTS = [
  "ok",
  "missing_signature",
  "malformed_signature",
  "timestamp_out_of_window",
  "signature_mismatch",
  "no_secret_configured",
] as const
export type PayInSignatureVerdict = (typeof PAYIN_SIGNATURE_VERDICTS)[number]

export type PayInSignatureResult = {
  verdict: PayInSignatureVerdict
  /** The signed timestamp (unix seconds) when the header could be read. */
  timestamp?: number
}

type HeaderBag = Record<string, string | string[] | undefined>

/** The signature header, whichever of the two names PayIn used (header names are case-insensitive). */
export function readPayInSignatureHeader(headers: HeaderBag | undefined): string | undefined {
  if (!headers) return undefined
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase()
    if (lower === "x-payin-signature" || lower === "payin-signature") {
      const text = Array.isArray(value) ? value[0] : value
      if (text && text.trim()) return text.trim()
    }
  }
  return undefined
}

/** Hex HMAC PayIn would send for this body and timestamp. */
export function computePayInSignature(rawBody: Buffer, timestamp: number | string, secret: string): string {
  return crypto
    .createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), rawBody]))
    .digest("hex")
}

function parseHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined
  const signatures: string[] = []
  for (const part of header.split(",")) {
    const eq = part.indexOf("=")
    if (eq < 0) return undefined
    const key = part.slice(0, eq).trim()
    const value = part.slice(eq + 1).trim()
    if (key === "t") {
      if (!/^\d{1,12}$/.test(value)) return undefined
      timestamp = Number(value)
    } else if (key === "v1") {
      if (!/^[0-9a-fA-F]+$/.test(value) || value.length % 2 !== 0) return undefined
      signatures.push(value.toLowerCase())
    }
    // Unknown schemes (v0, future v2) are ignored, as Stripe-style signatures allow.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined
  return { timestamp, signatures }
}

/**
 * Checks a PayIn webhook. The HMAC is checked before the clock, so
 * `timestamp_out_of_window` means "genuinely signed by PayIn, but too old or too new":
 * a replay. Both are rejections.
 */
export function verifyPayInSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string | undefined,
  nowMs: number = Date.now()
): PayInSignatureResult {
  if (!secret) return { verdict: "no_secret_configured" }
  if (!header) return { verdict: "missing_signature" }
  const parsed = parseHeader(header)
  if (!parsed) return { verdict: "malformed_signature" }

  const expected = Buffer.from(computePayInSignature(rawBody, parsed.timestamp, secret), "hex")
  let matched = false
  for (const candidate of parsed.signatures) {
    const given = Buffer.from(candidate, "hex")
    // Lengths are public (always 32 bytes for SHA-256); contents are compared in constant time.
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) matched = true
  }
  if (!matched) return { verdict: "signature_mismatch", timestamp: parsed.timestamp }

  const ageSeconds = Math.abs(Math.floor(nowMs / 1000) - parsed.timestamp)
  if (ageSeconds > PAYIN_SIGNATURE_TOLERANCE_SECONDS) {
    return { verdict: "timestamp_out_of_window", timestamp: parsed.timestamp }
  }
  return { verdict: "ok", timestamp: parsed.timestamp }
}
