import { randomUUID } from "node:crypto"
import { z } from "zod"
import type { SandboxContext } from "../context"
import { formatFixed, parseDecimal } from "../decimal"
import { header, json, type HttpResult, type ParsedRequest } from "../http"
import { isOwnedBy, secPaidTime, type SecPaidLink, type SecPaidOwner, type SecPaidTransaction } from "./state"

/**
 * SecPaid API v2: `POST /secpaid/api/v2/<name>`, `token` header, JSON or form bodies,
 * every answer in the documented envelope with numbers as strings.
 */

type Params = Record<string, unknown>

/** The documented envelope. Errors are HTTP 200 + ResponseCode 0 except auth (401) and rate limit (429); see README. */
export function secPaidEnvelope(
  ok: boolean,
  message: string,
  data: unknown = [],
  status = 200,
  headers: Record<string, string> = {}
): HttpResult {
  return json(
    status,
    { ResponseCode: ok ? 1 : 0, ResponseMsg: message, Result: ok ? "True" : "False", ServerTime: "CEST", data },
    headers
  )
}

const fail = (message: string) => secPaidEnvelope(false, message)

/** What an injected fault looks like on SecPaid (Kong answers these before the API sees the request). */
export function secPaidFaultResponse(kind: "429" | "500", retryAfterSeconds = 1): HttpResult {
  if (kind === "429") {
    return secPaidEnvelope(false, "API rate limit exceeded", [], 429, { "retry-after": String(retryAfterSeconds) })
  }
  return json(500, { message: "An unexpected error occurred" })
}

export const kongRequestId = () => randomUUID()

function text(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim()
  if (typeof value === "number" || typeof value === "boolean") return String(value)
  return undefined
}

/** SecPaid flags arrive as "true"/"false", "Yes"/"No", "1"/"0" or real booleans. */
function flag(value: unknown, fallback: boolean): boolean {
  const t = text(value)?.toLowerCase()
  if (t === undefined || t === "") return fallback
  if (["true", "yes", "1", "on"].includes(t)) return true
  if (["false", "no", "0", "off"].includes(t)) return false
  return fallback
}

const yesNo = (b: boolean) => (b ? "Yes" : "No")
const trueFalse = (b: boolean) => (b ? "true" : "false")

/** Positive integer query parameter with a default and an upper bound. */
function positiveInt(value: unknown, fallback: number, max?: number): number {
  const t = text(value)
  if (!t || !/^\d+$/.test(t) || Number(t) < 1) return fallback
  return max ? Math.min(Number(t), max) : Number(t)
}

/**
 * callback_url / payment_endpoint: full URLs, indices into the profile's saved URLs,
 * or a comma-separated mix ("0,https://shop.example/hook").
 */
function resolveUrlList(raw: unknown, profile: string[], field: string): { urls: string[] } | { error: string } {
  const t = text(raw)
  if (!t) return { urls: [] }
  const urls: string[] = []
  for (const part of t.split(",").map((p) => p.trim()).filter(Boolean)) {
    if (/^\d+$/.test(part)) {
      const saved = profile[Number(part)]
      if (!saved) return { error: `Invalid ${field}: no URL is saved in the profile at index ${part}` }
      urls.push(saved)
      continue
    }
    if (!z.url({ protocol: /^https?$/ }).safeParse(part).success) return { error: `Invalid ${field}` }
    urls.push(part)
  }
  return { urls }
}

function payLinkOf(ctx: SandboxContext, id: number): string {
  return `${ctx.baseUrl}/secpaid/payment?link_id=${Buffer.from(String(id)).toString("base64")}`
}

/** SecPaid's fee in the sandbox: 1.5 % + 0.25 EUR, rounded half up, never more than the amount. */
function serviceFeeCents(amountCents: bigint): bigint {
  const fee = (amountCents * 15n + 500n) / 1000n + 25n
  return fee > amountCents ? amountCents : fee
}

type CreateLinkInput = {
  amountCents: bigint
  params: Params
  owner: SecPaidOwner
  split?: { type: "normal" | "absolute"; recipients: Array<{ token: string; share: string }> }
}

function createLinkFromParams(ctx: SandboxContext, input: CreateLinkInput): SecPaidLink | { error: string } {
  const { params, owner } = input
  const cfg = ctx.secpaid.config
  const callbacks = resolveUrlList(params.callback_url, cfg.profileCallbackUrls, "callback_url")
  if ("error" in callbacks) return callbacks
  const endpoints = resolveUrlList(params.payment_endpoint, cfg.profilePaymentEndpoints, "payment_endpoint")
  if ("error" in endpoints) return endpoints
  const isEncryption = flag(params.is_encryption, false)
  const encryptionKey = text(params.encryption_key)
  if (isEncryption && (!encryptionKey || [...encryptionKey].length !== 32 || Buffer.byteLength(encryptionKey) !== 32)) {
    return { error: "Encryption key must be 32 characters" }
  }
  const cancellable = flag(params.cancellable ?? params.is_cancellation, true)
  const link: SecPaidLink = {
    id: ctx.secpaid.nextLinkId++,
    ...owner,
    amount: formatFixed(input.amountCents, 2),
    servicefee: formatFixed(serviceFeeCents(input.amountCents), 2),
    recipient_note: text(params.recipient_note) ?? "",
    // Without a per-link value SecPaid falls back to the profile's saved URLs.
    callback_urls: callbacks.urls.length ? callbacks.urls : cfg.profileCallbackUrls.slice(0, 1),
    payment_endpoints: endpoints.urls.length ? endpoints.urls : [...cfg.profilePaymentEndpoints],
    cancellable,
    bank_transfer: flag(params.bank_transfer, false),
    is_qr_link: flag(params.is_qr_link, false),
    is_encryption: isEncryption,
    ...(isEncryption ? { encryption_key: encryptionKey } : {}),
    ...(text(params.bank_statement_description) ? { bank_statement_description: text(params.bank_statement_description) } : {}),
    is_split_link: Boolean(input.split),
    ...(input.split ? { split_type: input.split.type, recipients: input.split.recipients } : {}),
    status: "Unused",
    created_at: secPaidTime(ctx.clock.now()),
  }
  ctx.secpaid.links.push(link)
  return link
}

/** createLink / createSplitLink response data; the id key depends on the docs generation. */
function linkResponseData(ctx: SandboxContext, link: SecPaidLink): Record<string, string> {
  const idKey = ctx.secpaid.config.docsGeneration === "old" ? "linktopay_id" : "id"
  const data: Record<string, string> = {
    [idKey]: String(link.id),
    pay_link: payLinkOf(ctx, link.id),
    qr_img: `${ctx.baseUrl}/secpaid/qr?link_id=${Buffer.from(String(link.id)).toString("base64")}`,
    status: link.status,
    amount: link.amount,
    servicefee: link.servicefee,
    recipient_note: link.recipient_note,
    callback_url: link.callback_urls.join(","),
    payment_endpoint: link.payment_endpoints.join(","),
    is_cancellation: yesNo(link.cancellable),
    bank_transfer: trueFalse(link.bank_transfer),
    is_qr_link: trueFalse(link.is_qr_link),
    is_encryption: trueFalse(link.is_encryption),
    is_split_link: trueFalse(link.is_split_link),
    created_at: link.created_at,
  }
  if (link.is_split_link) {
    data.split_type = link.split_type ?? "normal"
    // Documented quirk: recipients come back as a JSON *string*.
    data.recipients = JSON.stringify(link.recipients ?? [])
  }
  return data
}

function parseAmount(value: unknown): { cents: bigint } | { error: string } {
  const t = text(value)
  if (!t) return { error: "Amount is required" }
  const cents = parseDecimal(t, 2)
  if (cents === undefined || cents <= 0n) return { error: "Amount must be a number greater than 0" }
  return { cents }
}

function createLink(ctx: SandboxContext, owner: SecPaidOwner, params: Params): HttpResult {
  const amount = parseAmount(params.amount)
  if ("error" in amount) return fail(amount.error)
  const link = createLinkFromParams(ctx, { amountCents: amount.cents, params, owner })
  if ("error" in link) return fail(link.error)
  return secPaidEnvelope(true, "Link created successfully", linkResponseData(ctx, link))
}

const recipientSchema = z.object({ token: z.string().trim().min(1), share: z.union([z.string(), z.number()]) })

function createSplitLink(ctx: SandboxContext, owner: SecPaidOwner, params: Params, ownToken: string): HttpResult {
  const amount = parseAmount(params.amount)
  if ("error" in amount) return fail(amount.error)
  const splitType = text(params.split_type)?.toLowerCase() || "normal"
  if (splitType !== "normal" && splitType !== "absolute") return fail("Invalid split type")
  if (!Array.isArray(params.recipients) || params.recipients.length === 0) return fail("Recipients are required")
  const recipients: Array<{ token: string; share: string }> = []
  let total = 0n
  for (const [index, raw] of params.recipients.entries()) {
    const r = recipientSchema.safeParse(raw)
    if (!r.success || r.data.token === ownToken) return fail(`Invalid recipient token at index ${index}`)
    const share = parseDecimal(String(r.data.share), 2)
    if (share === undefined || share <= 0n || (splitType === "normal" && share > 10000n)) {
      return fail(`Invalid recipient share at index ${index}`)
    }
    total += share
    recipients.push({ token: r.data.token, share: formatFixed(share, 2) })
  }
  if (splitType === "normal" && total > 10000n) return fail("Total share exceeds 100 percent")
  if (splitType === "absolute" && total > amount.cents) return fail("Total share exceeds amount")
  const link = createLinkFromParams(ctx, {
    amountCents: amount.cents,
    params,
    owner,
    split: { type: splitType, recipients },
  })
  if ("error" in link) return fail(link.error)
  return secPaidEnvelope(true, "Split link created successfully", linkResponseData(ctx, link))
}

/** A pay-in row as the API returns it: without the sandbox's ownership fields. */
function transactionRow(t: SecPaidTransaction): Omit<SecPaidTransaction, "environment" | "account"> {
  const { environment: _environment, account: _account, ...row } = t
  return row
}

const createdMs = (secPaidDateTime: string) => Date.parse(secPaidDateTime.replace(" ", "T") + "Z")

function getPayInTransactions(ctx: SandboxContext, owner: SecPaidOwner, params: Params): HttpResult {
  const mine = ctx.secpaid.transactions.filter((t) => isOwnedBy(t, owner))
  const payId = text(params.pay_id)
  if (payId) {
    return secPaidEnvelope(true, "List retrived successfully", mine.filter((t) => t.pay_id === payId).map(transactionRow))
  }
  let rows = [...mine].reverse()
  const since = text(params.since)
  if (since && /^\d+$/.test(since)) {
    const cutoff = ctx.clock.now() - Number(since) * 86_400_000
    rows = rows.filter((t) => createdMs(t.created_at) >= cutoff)
  }
  const date = text(params.date)
  if (date) rows = rows.filter((t) => t.created_at.startsWith(date))
  const search = text(params.search)?.toLowerCase()
  if (search) {
    rows = rows.filter((t) =>
      [t.recipient_note, t.amount, t.transaction_id, t.pay_id].some((v) => v.toLowerCase().includes(search))
    )
  }
  const page = positiveInt(params.page, 1)
  const limit = positiveInt(params.limit, 200, 1000)
  return secPaidEnvelope(true, "List retrived successfully", rows.slice((page - 1) * limit, page * limit).map(transactionRow))
}

function listLinks(ctx: SandboxContext, owner: SecPaidOwner, params: Params, used: boolean): HttpResult {
  const limit = positiveInt(params.limit, 10)
  const search = text(params.search)?.toLowerCase()
  const rows = ctx.secpaid.links
    .filter((l) => isOwnedBy(l, owner))
    .filter((l) => (used ? l.status === "Used" || l.status === "Refunded" : l.status === "Unused" || l.status === "Cancelled"))
    .filter((l) => !search || l.recipient_note.toLowerCase().includes(search))
    .reverse()
    .slice(0, limit)
    .map((l) => ({
      linktopay_id: String(l.id),
      recipient_note: l.recipient_note,
      amount: l.amount,
      status: l.status,
      is_cancelled: yesNo(l.status === "Cancelled"),
      ...(used ? { paid_on: l.paid_on ?? "" } : { pay_link: payLinkOf(ctx, l.id) }),
      created_at: l.created_at,
    }))
  return secPaidEnvelope(true, "List retrived successfully", rows)
}

/** link_id as the numeric id, or the base64 form found in pay links. */
function linkIdParam(value: unknown): string | undefined {
  const t = text(value)
  if (!t) return undefined
  if (/^\d+$/.test(t)) return t
  const decoded = Buffer.from(t, "base64").toString("utf8")
  return /^\d+$/.test(decoded) ? decoded : undefined
}

function deleteLink(ctx: SandboxContext, owner: SecPaidOwner, params: Params): HttpResult {
  const link = ctx.secpaid.findLink(owner, linkIdParam(params.link_id ?? params.pay_id))
  if (!link) return fail("Link not found")
  if (link.status !== "Unused" && link.status !== "Cancelled") return fail("This link is already used")
  link.status = "Deleted"
  return secPaidEnvelope(true, "Link deleted successfully", { link_id: String(link.id) })
}

function refundPayment(ctx: SandboxContext, owner: SecPaidOwner, params: Params): HttpResult {
  const link = ctx.secpaid.findLink(owner, text(params.pay_id))
  const refundText = text(params.refund_amount)
  if (!refundText) return fail("Refund amount is required")
  if (!link) return fail("Link not found")
  if (link.status === "Cancelled") return fail("Link is cancelled")
  if (link.status === "Unused") return fail("This link is not paid yet")
  if (link.disputed) return fail("Refund blocked by dispute")
  if (link.refund) return fail("Refund already requested")
  const refund = parseDecimal(refundText, 2)
  const paid = parseDecimal(link.amount, 2) ?? 0n
  if (refund === undefined || refund <= 0n || refund > paid) return fail("Invalid refund amount")
  link.refund = { amount: formatFixed(refund, 2), status: "Pending", requested_at: secPaidTime(ctx.clock.now()) }
  return secPaidEnvelope(true, "Refund requested successfully", {
    pay_id: String(link.id),
    refund_amount: link.refund.amount,
    status: "Pending",
  })
}

/** Sliding 60-second window per key. Returns the seconds until a slot frees up, or undefined when allowed. */
function rateLimited(ctx: SandboxContext, key: string): number | undefined {
  const now = ctx.clock.now()
  const stamps = (ctx.secpaid.requestStamps.get(key) ?? []).filter((t) => t > now - 60_000)
  ctx.secpaid.requestStamps.set(key, stamps)
  if (stamps.length >= ctx.secpaid.config.rateLimitPerMinute) {
    return Math.max(1, Math.ceil((stamps[0] + 60_000 - now) / 1000))
  }
  stamps.push(now)
  return undefined
}

export const SECPAID_ENDPOINTS = [
  "createLink",
  "createSplitLink",
  "getPayInTransactions",
  "getMyUnusedLinks",
  "getMyUsedLinks",
  "deleteLink",
  "refundPayment",
  "getPayOutTransactions",
  "getTaxInvoiceList",
] as const

export async function handleSecPaidApi(ctx: SandboxContext, name: string, req: ParsedRequest): Promise<HttpResult> {
  if (!(SECPAID_ENDPOINTS as readonly string[]).includes(name)) return secPaidEnvelope(false, "Endpoint not found", [], 404)
  if (req.method !== "POST") return secPaidEnvelope(false, "Method not allowed", [], 405, { allow: "POST" })
  const token = header(req.headers, "token")?.trim()
  if (!token) return secPaidEnvelope(false, "Please enter token", [], 401)
  const owner = ctx.secpaid.ownerOfKey(token)
  if (!owner) return secPaidEnvelope(false, "Incorrect token or missing token", [], 401)
  const retryAfter = rateLimited(ctx, token)
  if (retryAfter !== undefined) {
    return secPaidEnvelope(false, "API rate limit exceeded", [], 429, { "retry-after": String(retryAfter) })
  }
  if (req.bodyInvalid) return fail("Invalid request body")
  const params: Params = req.body && typeof req.body === "object" && !Array.isArray(req.body) ? (req.body as Params) : {}
  switch (name) {
    case "createLink":
      return createLink(ctx, owner, params)
    case "createSplitLink":
      return createSplitLink(ctx, owner, params, token)
    case "getPayInTransactions":
      return getPayInTransactions(ctx, owner, params)
    case "getMyUnusedLinks":
      return listLinks(ctx, owner, params, false)
    case "getMyUsedLinks":
      return listLinks(ctx, owner, params, true)
    case "deleteLink":
      return deleteLink(ctx, owner, params)
    case "refundPayment":
      return refundPayment(ctx, owner, params)
    default:
      // Payouts and invoices are outside checkout; the sandbox has none.
      return secPaidEnvelope(true, "List retrived successfully", [])
  }
}
