import { createDecipheriv } from "node:crypto"
import { z } from "zod"
import { idString, amountText } from "./responses"

/**
 * Parses SecPaid's "Payment Endpoint" webhook. Nothing in it is authenticated (no
 * signature, no event id), so the result is only a *claim* about a link: the
 * provider confirms every success with getPayInTransactions before acting.
 *
 * Accepted bodies (both doc generations and the vendor plugin's wire format):
 *  1. form-urlencoded bracket keys: `ResponseCode=1&data%5Bpay_id%5D=1466&data%5Bstatus%5D=success`
 *  2. JSON with flat bracket keys: `{"data[pay_id]":1466,"data[Status]":"cancel"}`
 *  3. JSON nested: `{"data":{"pay_id":12345,"status":"Success"}}`
 *  4. encrypted: `{"data":"<base64>"}`, AES-256-CBC, key = the 32-char key as UTF-8,
 *     IV = its first 16 characters; the plaintext is any of the shapes above.
 * Status keys in any case; values success/Success/cancel/cancelled/canceled.
 */

export type SecPaidWebhookStatus = "success" | "cancel" | "unknown"

export type SecPaidWebhookClaim = {
  payId: string
  status: SecPaidWebhookStatus
  /** The status text as sent, for logs. */
  rawStatus?: string
  amount?: string
  userId?: string
  note?: string
  /**
   * SecPaid's `ResponseCode` as sent ("1" = the notification reports a completed
   * action). Absent in some documented shapes. See `isSecPaidErrorNotification`.
   */
  responseCode?: string
  encrypted: boolean
}

export type ParsedSecPaidWebhook = { ok: true; claim: SecPaidWebhookClaim } | { ok: false; reason: string }

export type SecPaidWebhookInput = {
  /** Bytes as received: a Buffer, a string, or the Redis event bus's `{ type: "Buffer", data: [...] }`. */
  rawData?: unknown
  /** The body as Medusa's body parser saw it; used when no raw bytes are available. */
  data?: unknown
  /** When set, only encrypted bodies are accepted. */
  encryptionKey?: string
}

/** SecPaid link ids are decimal numbers (`"pay_id":"42011"`, `1466`); anything else is not one of its links. */
export const secPaidPayIdSchema = idString.refine((v) => /^\d{1,20}$/.test(v), { message: "must be a SecPaid link id (digits)" })

/**
 * One reason for every way an encrypted body can fail (bad padding, wrong key,
 * plaintext that is not a claim): distinct answers would tell an attacker which
 * guesses decrypt — a padding oracle.
 */
const UNDECRYPTABLE = "the encrypted body is not a SecPaid claim encrypted with the configured encryptionKey"

const claimSchema = z.object({
  pay_id: secPaidPayIdSchema,
  responsecode: z.union([z.string(), z.number()]).transform((v) => String(v).trim()).optional(),
  status: z.string().optional(),
  amount: amountText.optional(),
  user_id: z.union([z.string(), z.number()]).transform(String).optional(),
  note: z.union([z.string(), z.number()]).transform(String).optional(),
})

export function parseSecPaidWebhook(input: SecPaidWebhookInput): ParsedSecPaidWebhook {
  let body: unknown
  try {
    body = readBody(input)
  } catch (error) {
    return { ok: false, reason: `the body could not be read (${(error as Error).message})` }
  }
  if (!body || typeof body !== "object") return { ok: false, reason: "the body is empty or not an object" }

  const encryptedPayload = encryptedData(body as Record<string, unknown>)
  let fields: Record<string, unknown>
  if (encryptedPayload !== undefined) {
    if (!input.encryptionKey) {
      return { ok: false, reason: "the body is encrypted but no encryptionKey is configured" }
    }
    let inner: unknown
    try {
      inner = parseText(decryptSecPaidPayload(encryptedPayload, input.encryptionKey))
    } catch {
      return { ok: false, reason: UNDECRYPTABLE }
    }
    if (!inner || typeof inner !== "object") return { ok: false, reason: UNDECRYPTABLE }
    fields = flattenSecPaidFields(inner as Record<string, unknown>)
    if (!claimSchema.safeParse(fields).success) return { ok: false, reason: UNDECRYPTABLE }
  } else {
    if (input.encryptionKey) {
      return { ok: false, reason: "the body is not encrypted although encryptionKey is configured (only encrypted webhooks are accepted)" }
    }
    fields = flattenSecPaidFields(body as Record<string, unknown>)
  }

  const parsed = claimSchema.safeParse(fields)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false, reason: `the body has no usable ${issue.path.map(String).join(".") || "fields"} (${issue.message})` }
  }
  return {
    ok: true,
    claim: {
      payId: parsed.data.pay_id,
      status: normaliseStatus(parsed.data.status),
      rawStatus: parsed.data.status,
      amount: parsed.data.amount,
      userId: parsed.data.user_id,
      note: parsed.data.note,
      responseCode: parsed.data.responsecode,
      encrypted: encryptedPayload !== undefined,
    },
  }
}

/**
 * SecPaid's guide says to validate ResponseCode before processing. The decision here:
 * a notification that carries a ResponseCode other than 1 reports an error, not a
 * payment, so it is acknowledged and not processed (no gateway call). Payment is
 * never taken from a webhook anyway — it is verified with getPayInTransactions — so
 * this only saves work; a missing ResponseCode (a documented shape) is processed.
 */
export function isSecPaidErrorNotification(claim: Pick<SecPaidWebhookClaim, "responseCode">): boolean {
  return claim.responseCode !== undefined && claim.responseCode !== "1"
}

export function normaliseStatus(value: string | undefined): SecPaidWebhookStatus {
  const v = (value ?? "").trim().toLowerCase()
  if (v === "success" || v === "successful" || v === "paid") return "success"
  if (v === "cancel" || v === "cancelled" || v === "canceled") return "cancel"
  return "unknown"
}

/** AES-256-CBC with key = the 32-char key as UTF-8 and IV = its first 16 characters. */
export function decryptSecPaidPayload(base64: string, encryptionKey: string): string {
  const key = Buffer.from(encryptionKey, "utf8")
  if (key.length !== 32) throw new Error("the encryption key must be 32 bytes")
  const iv = Buffer.from(encryptionKey.slice(0, 16), "utf8")
  const decipher = createDecipheriv("aes-256-cbc", key, iv)
  return Buffer.concat([decipher.update(Buffer.from(base64, "base64")), decipher.final()]).toString("utf8")
}

function readBody(input: SecPaidWebhookInput): unknown {
  const raw = rawToString(input.rawData)
  if (raw !== undefined && raw.trim() !== "") return parseText(raw)
  return input.data
}

function rawToString(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return undefined
  if (Buffer.isBuffer(raw)) return raw.toString("utf8")
  if (typeof raw === "string") return raw
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString("utf8")
  if (typeof raw === "object" && (raw as { type?: unknown }).type === "Buffer" && Array.isArray((raw as { data?: unknown }).data)) {
    return Buffer.from((raw as { data: number[] }).data).toString("utf8")
  }
  return undefined
}

/** JSON when it looks like JSON, otherwise form-urlencoded (PHP `parse_str` style). */
function parseText(text: string): unknown {
  const trimmed = text.trim()
  if (trimmed.startsWith("{")) return JSON.parse(trimmed)
  const out: Record<string, string> = {}
  for (const [key, value] of new URLSearchParams(trimmed)) out[key] = value
  return out
}

/** `{"data":"<base64>"}` and nothing that looks like a plain claim. */
function encryptedData(body: Record<string, unknown>): string | undefined {
  const data = body.data
  if (typeof data !== "string") return undefined
  return /^[A-Za-z0-9+/=\s]+$/.test(data) ? data.replace(/\s+/g, "") : undefined
}

/**
 * Collects the claim's fields from any shape into lower-case keys:
 * `data[pay_id]`, `data[Status]`, `data: { pay_id }` and top-level keys alike.
 * Values in `data` win over top-level ones.
 */
export function flattenSecPaidFields(body: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const put = (key: string, value: unknown) => {
    if (value === undefined || value === null || typeof value === "object") return
    out[key.trim().toLowerCase()] = value
  }
  for (const [key, value] of Object.entries(body)) {
    if (key !== "data" && !/^data\[/i.test(key)) put(key, value)
  }
  const nested = body.data
  if (nested && typeof nested === "object" && !Array.isArray(nested)) {
    for (const [key, value] of Object.entries(nested as Record<string, unknown>)) put(key, value)
  }
  for (const [key, value] of Object.entries(body)) {
    const m = /^data\[([^\]]+)\]$/i.exec(key)
    if (m) put(m[1], value)
  }
  return out
}
