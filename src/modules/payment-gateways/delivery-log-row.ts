import { printableText, truncatePrintable } from "../../lib/printable-text"
import { redactString } from "../../lib/redact"

/**
 * What one row of the delivery log may hold of a request. Anyone can post to the
 * webhook routes, so every part of a row has a ceiling (a full row stays under ~3.5 KB
 * on disk) and is printable text (PostgreSQL refuses NUL and invalid UTF-8, and a row
 * that fails to insert is exactly the odd delivery one wants to look at).
 */
export const DELIVERY_LOG_ROW_LIMITS = {
  /** Gateway bodies are a few hundred bytes: 512 shows a whole genuine one, and the start of anything else. */
  bodyExcerptBytes: 512,
  /** Gateways send ~10 headers; a proxy adds a few. */
  headerCount: 30,
  headerNameBytes: 64,
  /** Long enough for a user agent, a forwarding chain or a (redacted) signature header. */
  headerValueBytes: 256,
  /** All stored headers as JSON, the marker for dropped ones included. */
  headersJsonBytes: 2048,
  detailBytes: 512,
  eventIdBytes: 256,
  /** An IPv6 address with a zone, or the `*` of folded sources. */
  remoteAddressBytes: 64,
} as const

/** Stands for the headers that did not fit: `{ "…": "12 more headers" }` (never a header name: "…" is not a token). */
export const DROPPED_HEADERS_KEY = "…"

/** Shown first, whatever order they came in: what tells who sent a delivery and what it claimed to be. */
const USEFUL_FIRST = ["content-type", "content-length", "user-agent", "x-forwarded-for", "x-real-ip", "forwarded", "host"]

/** A text column from the request (detail, event id, source address): printable, at most `maxBytes`, "…" when cut. */
export function deliveryLogText(value: string | undefined, maxBytes: number): string | undefined {
  if (value === undefined) return undefined
  return truncatePrintable(printableText(value), maxBytes, "…")
}

/**
 * The body as the delivery log shows it: its first bytes as printable text, known
 * secret values removed. Redaction runs on a window longer than the excerpt, so a
 * secret that starts inside the excerpt is found whole before the cut.
 */
export function deliveryLogBodyExcerpt(body: Buffer, secrets: readonly (string | undefined)[]): string {
  const limit = DELIVERY_LOG_ROW_LIMITS.bodyExcerptBytes
  const window = printableText(body.subarray(0, limit + 512))
  // Secrets are looked for as they appear in escaped text (a backslash in a key is doubled).
  const redacted = redactString(window, secrets.map((s) => (s === undefined ? undefined : printableText(s))))
  return truncatePrintable(redacted, limit)
}

/**
 * Redacted headers bounded for storage: the useful ones first, at most `headerCount`,
 * names and values printable and cut, the whole under `headersJsonBytes` as JSON; what
 * does not fit is counted under `DROPPED_HEADERS_KEY`.
 */
export function deliveryLogHeaders(redactedHeaders: Record<string, string>): Record<string, string> {
  const limits = DELIVERY_LOG_ROW_LIMITS
  const names = Object.keys(redactedHeaders)
  const ordered = [...USEFUL_FIRST.filter((n) => n in redactedHeaders), ...names.filter((n) => !USEFUL_FIRST.includes(n))]
  // Room kept for the marker: `,"…":"<n> more headers"`.
  const budget = limits.headersJsonBytes - 32
  const out: Record<string, string> = {}
  let size = 2
  let kept = 0
  for (const name of ordered) {
    if (kept === limits.headerCount) break
    const storedName = truncatePrintable(printableText(name), limits.headerNameBytes, "…")
    const storedValue = truncatePrintable(printableText(redactedHeaders[name]), limits.headerValueBytes, "…")
    const entryBytes = Buffer.byteLength(JSON.stringify(storedName)) + 1 + Buffer.byteLength(JSON.stringify(storedValue)) + (kept ? 1 : 0)
    if (size + entryBytes > budget || storedName in out) break
    out[storedName] = storedValue
    size += entryBytes
    kept++
  }
  const dropped = ordered.length - kept
  if (dropped > 0) out[DROPPED_HEADERS_KEY] = `${dropped} more header${dropped === 1 ? "" : "s"}`
  return out
}
