import crypto from "node:crypto"

/**
 * PayIn webhook signature check, kept free of Medusa so the provider and the
 * durable webhook inbox route answer the same question the same way.
 *
 * Header `X-PayIn-Signature` (hosted cloud: `payin-signature`), in either of PayIn's
 * two documented forms:
 * - timestamped: `t=<unix seconds>,v1=<hex>`, v1 = hex(HMAC-SHA256(secret, `${t}.${rawBody}`)),
 *   valid for 5 minutes either side of our clock;
 * - plain: just hex(HMAC-SHA256(secret, rawBody)), 64 hex digits, no timestamp.
 * The HMAC is computed over the raw bytes as received, never over re-serialised JSON.
 *
 * The plain form carries no timestamp, so a captured delivery stays valid for ever.
 * Its replay protection lies after this check: the inbox stores each (gateway, event
 * id) once and answers a repeat as a duplicate, and an event is only a pointer, since
 * the provider re-fetches the order from PayIn's API and acts on what PayIn reports
 * there, never on the body. A replay can therefore not make an unpaid order paid nor
 * move a finished one backwards.
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

export const PAYIN_SIGNATURE_FORMS = ["timestamped", "plain"] as const
export type PayInSignatureForm = (typeof PAYIN_SIGNATURE_FORMS)[number]

/**
 * The verdict, and which of the two documented forms the header is in (always known
 * when the verdict is `ok`) with the signed timestamp (unix seconds) of the timestamped form.
 */
export type PayInSignatureResult =
  | { verdict: "ok"; form: PayInSignatureForm; timestamp?: number }
  | { verdict: Exclude<PayInSignatureVerdict, "ok">; form?: PayInSignatureForm; timestamp?: number }

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

/** Hex HMAC PayIn would send for this body and timestamp (the `v1` of the timestamped form). */
export function computePayInSignature(rawBody: Buffer, timestamp: number | string, secret: string): string {
  return crypto
    .createHmac("sha256", secret)
    .update(Buffer.concat([Buffer.from(`${timestamp}.`, "utf8"), rawBody]))
    .digest("hex")
}

/** Hex HMAC PayIn would send as the whole header in the plain form. */
export function computePayInPlainSignature(rawBody: Buffer, secret: string): string {
  return crypto.createHmac("sha256", secret).update(rawBody).digest("hex")
}

/** A SHA-256 HMAC in hex, nothing else: the plain form. */
const PLAIN_SIGNATURE = /^[0-9a-fA-F]{64}$/

function parseTimestampedHeader(header: string): { timestamp: number; signatures: string[] } | undefined {
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

/** Constant-time match of hex candidates against the expected digest. */
function matchesAny(expected: Buffer, candidates: string[]): boolean {
  let matched = false
  for (const candidate of candidates) {
    const given = Buffer.from(candidate, "hex")
    // Lengths are public (always 32 bytes for SHA-256); contents are compared in constant time.
    if (given.length === expected.length && crypto.timingSafeEqual(given, expected)) matched = true
  }
  return matched
}

/**
 * The verdicts that need no body: no secret configured, no header, a header in neither
 * form. The webhook route refuses those before it reads the body, so an unsigned flood
 * costs neither the bytes nor an HMAC. Undefined: the body decides.
 */
export function screenPayInSignatureHeader(
  header: string | undefined,
  secret: string | undefined
): Extract<PayInSignatureVerdict, "no_secret_configured" | "missing_signature" | "malformed_signature"> | undefined {
  if (!secret) return "no_secret_configured"
  const text = header?.trim()
  if (!text) return "missing_signature"
  if (!PLAIN_SIGNATURE.test(text) && !parseTimestampedHeader(text)) return "malformed_signature"
  return undefined
}

/**
 * Checks a PayIn webhook in either documented form. For the timestamped form the HMAC
 * is checked before the clock, so `timestamp_out_of_window` means "genuinely signed by
 * PayIn, but too old or too new": a replay. Both are rejections. A header in neither
 * form is `malformed_signature`.
 */
export function verifyPayInSignature(
  rawBody: Buffer,
  header: string | undefined,
  secret: string | undefined,
  nowMs: number = Date.now()
): PayInSignatureResult {
  const screened = screenPayInSignatureHeader(header, secret)
  if (screened) return { verdict: screened }
  const text = (header as string).trim()
  if (!secret) return { verdict: "no_secret_configured" }

  if (PLAIN_SIGNATURE.test(text)) {
    const expected = Buffer.from(computePayInPlainSignature(rawBody, secret), "hex")
    if (!matchesAny(expected, [text])) return { verdict: "signature_mismatch", form: "plain" }
    return { verdict: "ok", form: "plain" }
  }

  const parsed = parseTimestampedHeader(text)
  if (!parsed) return { verdict: "malformed_signature" }
  const expected = Buffer.from(computePayInSignature(rawBody, parsed.timestamp, secret), "hex")
  if (!matchesAny(expected, parsed.signatures)) {
    return { verdict: "signature_mismatch", form: "timestamped", timestamp: parsed.timestamp }
  }
  const ageSeconds = Math.abs(Math.floor(nowMs / 1000) - parsed.timestamp)
  if (ageSeconds > PAYIN_SIGNATURE_TOLERANCE_SECONDS) {
    return { verdict: "timestamp_out_of_window", form: "timestamped", timestamp: parsed.timestamp }
  }
  return { verdict: "ok", form: "timestamped", timestamp: parsed.timestamp }
}
