import { randomUUID } from "node:crypto"
import { z } from "zod"
import type { SandboxContext } from "../context"
import { header, json, type HttpResult, type ParsedRequest } from "../http"
import { paymentAddressFor, payInOrderRow, toUnits } from "./lifecycle"
import { accountOf, PAYIN_CHAINS, type PayInOrder } from "./state"

/**
 * PayIn API v1 under /payin/api/v1: Bearer auth, `{success, data, message}` envelopes,
 * orders created with a decimal-string amount, read back as the server's snake_case row.
 */

export const PAYIN_VERSION = "1.0.0-sandbox"

export function payInError(status: number, code: string, error: string, message: string, suggestions: string[] = []): HttpResult {
  return json(status, { success: false, error, code, message, suggestions })
}

const ok = (status: number, data: unknown, message: string, extra: Record<string, unknown> = {}) =>
  json(status, { success: true, data, message, ...extra })

/** What an injected fault looks like on PayIn. */
export function payInFaultResponse(kind: "429" | "500", retryAfterSeconds = 1): HttpResult {
  if (kind === "429") {
    return json(
      429,
      { success: false, error: "Too Many Requests", code: "RATE_LIMIT_EXCEEDED", message: "Rate limit exceeded, retry later", suggestions: [] },
      { "retry-after": String(retryAfterSeconds) }
    )
  }
  return json(500, { error: "Internal Server Error", message: "An unexpected error occurred" })
}

export function payInHealth(ctx: SandboxContext): HttpResult {
  return json(200, { status: "ok", timestamp: ctx.clock.nowDate().toISOString(), version: PAYIN_VERSION })
}

const AMOUNT_RE = /^\d+(\.\d{1,18})?$/
const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const httpUrl = z.url({ protocol: /^https?$/ })

const createOrderSchema = z.object({
  orderReference: z.string().trim().min(1, "orderReference is required").max(255),
  amount: z.unknown(),
  currency: z.enum(["USDT", "USDC"], { message: "currency must be USDT or USDC" }),
  chainId: z.string().min(1, "chainId is required"),
  successUrl: httpUrl.optional(),
  cancelUrl: httpUrl.optional(),
  paymentWindowMinutes: z.number().int().min(1).max(1440).optional(),
  graceMinutes: z.number().int().min(0).max(1440).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
})

function validationFailed(message: string, suggestions: string[] = []): HttpResult {
  return payInError(400, "ORDER_VALIDATION_FAILED", "Validation failed", message, suggestions)
}

function createOrder(ctx: SandboxContext, account: string, req: ParsedRequest): HttpResult {
  if (req.bodyInvalid || !req.body || typeof req.body !== "object" || Array.isArray(req.body)) {
    return validationFailed("Request body must be a JSON object", ["Send Content-Type: application/json"])
  }
  const body = req.body as Record<string, unknown>
  if (body.amount === undefined || body.amount === null || body.amount === "") return validationFailed("amount is required")
  if (typeof body.amount !== "string" || !AMOUNT_RE.test(body.amount)) {
    return payInError(400, "ORDER_AMOUNT_FORMAT_INVALID", "Invalid amount format", "amount must be a decimal string matching ^\\d+(\\.\\d{1,18})?$", [
      'Send the amount as a string, e.g. "32.25"',
    ])
  }
  const parsed = createOrderSchema.safeParse(body)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const field = issue.path.join(".") || "body"
    const message = issue.message.includes(field) ? issue.message : `${field}: ${issue.message}`
    return validationFailed(message)
  }
  const input = parsed.data
  const amount = body.amount
  if ((toUnits(amount) ?? 0n) <= 0n) return validationFailed("amount must be greater than 0")
  const chain = PAYIN_CHAINS[input.chainId]
  if (!chain) return validationFailed(`Unsupported chainId "${input.chainId}"`, [`Use one of: ${Object.keys(PAYIN_CHAINS).join(", ")}`])
  if (!chain.tokens.includes(input.currency)) {
    return validationFailed(`${input.currency} is not supported on ${input.chainId}`, [`Use ${chain.tokens.join(" or ")} on ${input.chainId}`])
  }
  const { orders, config } = ctx.payin
  const mine = orders.filter((o) => accountOf(o) === account)
  if (config.rejectDuplicateOrderReference && mine.some((o) => o.order_reference === input.orderReference)) {
    return payInError(409, "DUPLICATE_ORDER_REFERENCE", "Duplicate order reference", `An order with reference ${input.orderReference} already exists`)
  }
  if (orders.filter((o) => o.status === "pending").length >= config.addressPoolSize) {
    return payInError(409, "ADDRESS_POOL_EXHAUSTED", "InsufficientAddresses", `No available addresses in pool for protocol: ${chain.protocol}`, [
      "Retry later, when pending orders have completed or expired",
    ])
  }
  const now = ctx.clock.now()
  const windowMs = (input.paymentWindowMinutes ?? 10) * 60_000
  const graceMs = (input.graceMinutes ?? 5) * 60_000
  const id = randomUUID()
  const order: PayInOrder = {
    id,
    account,
    order_reference: input.orderReference,
    amount,
    token: input.currency,
    chain: input.chainId,
    address: paymentAddressFor(input.chainId, id),
    required_confirmations: chain.confirmations,
    status: "pending",
    created_at: new Date(now).toISOString(),
    payment_window_ends_at: new Date(now + windowMs).toISOString(),
    grace_period_ends_at: new Date(now + windowMs + graceMs).toISOString(),
    first_transfer_detected_at: null,
    completed_at: null,
    expired_at: null,
    confirmed_received: "0",
    metadata: input.metadata ?? null,
    success_url: input.successUrl ?? null,
    cancel_url: input.cancelUrl ?? null,
    url: `${ctx.baseUrl}/payin/pay/${id}`,
    transfers: [],
  }
  orders.push(order)
  return ok(
    201,
    {
      orderId: order.id,
      orderReference: order.order_reference,
      status: order.status,
      amount: order.amount,
      currency: order.token,
      chainId: order.chain,
      address: order.address,
      paymentUrl: order.url,
      expiresAt: order.grace_period_ends_at,
      qrCode: `${ctx.baseUrl}/payin/pay/${id}/qr`,
      deepLink: `payin://pay?address=${order.address}&amount=${order.amount}&token=${order.token}&chain=${order.chain}`,
      createdAt: order.created_at,
    },
    "Order created successfully"
  )
}

function getOrder(ctx: SandboxContext, account: string, id: string): HttpResult {
  if (!UUID_RE.test(id)) return payInError(400, "ORDER_ID_INVALID", "Invalid order id", "Order id must be a UUID")
  const order = ctx.payin.find(id)
  // Another account's order does not exist for this key.
  if (!order || accountOf(order) !== account) return payInError(404, "ORDER_NOT_FOUND", "Order not found", `No order with id ${id}`)
  return ok(200, payInOrderRow(order), "Order retrieved successfully")
}

function positiveIntParam(value: string | null, fallback: number): number | undefined {
  if (value === null || value === "") return fallback
  return /^\d+$/.test(value) && Number(value) >= 1 ? Number(value) : undefined
}

function listOrders(ctx: SandboxContext, account: string, query: URLSearchParams): HttpResult {
  const page = positiveIntParam(query.get("page"), 1)
  const requestedLimit = positiveIntParam(query.get("limit"), 20)
  if (page === undefined || requestedLimit === undefined) return validationFailed("page and limit must be positive integers")
  const limit = Math.min(requestedLimit, 100)
  let rows = ctx.payin.orders.filter((o) => accountOf(o) === account)
  const statuses = query.get("status")?.split(",").map((s) => s.trim()).filter(Boolean)
  if (statuses?.length) rows = rows.filter((o) => statuses.includes(o.status))
  const chain = query.get("chainId") ?? query.get("chain")
  if (chain) rows = rows.filter((o) => o.chain === chain)
  const token = query.get("currency") ?? query.get("token")
  if (token) rows = rows.filter((o) => o.token === token.toUpperCase())
  const reference = query.get("orderReference")?.toLowerCase()
  if (reference) rows = rows.filter((o) => o.order_reference.toLowerCase().includes(reference))
  for (const [param, keep] of [
    ["createdAfter", (o: PayInOrder, t: number) => Date.parse(o.created_at) >= t],
    ["createdBefore", (o: PayInOrder, t: number) => Date.parse(o.created_at) <= t],
  ] as const) {
    const value = query.get(param)
    if (!value) continue
    const t = Date.parse(value)
    if (Number.isNaN(t)) return validationFailed(`${param} must be an ISO 8601 date`)
    rows = rows.filter((o) => keep(o, t))
  }
  const sortBy = query.get("sortBy") ?? "created_at"
  const direction = (query.get("sortOrder") ?? "desc").toLowerCase() === "asc" ? 1 : -1
  const key = (o: PayInOrder): string => (sortBy === "status" ? o.status : sortBy === "order_reference" || sortBy === "orderReference" ? o.order_reference : o.created_at)
  rows.sort((a, b) => (key(a) < key(b) ? -direction : key(a) > key(b) ? direction : 0))
  const total = rows.length
  return ok(200, rows.slice((page - 1) * limit, page * limit).map(payInOrderRow), "Orders retrieved successfully", {
    pagination: { page, limit, total, totalPages: Math.ceil(total / limit) },
  })
}

/** The caller's account label, or the 401 PayIn answers. */
function authorised(ctx: SandboxContext, req: ParsedRequest): { account: string } | { denied: HttpResult } {
  const auth = header(req.headers, "authorization")
  const match = auth && /^Bearer\s+(\S+)$/i.exec(auth.trim())
  if (!match) {
    const message = header(req.headers, "x-api-key")
      ? "Missing Authorization header: this server reads only Authorization: Bearer <api key>"
      : "Missing Authorization header"
    return { denied: json(401, { error: "Unauthorized", message }) }
  }
  const account = ctx.payin.accountOfKey(match[1])
  return account ? { account } : { denied: json(401, { error: "Unauthorized", message: "Invalid API key" }) }
}

/** The endpoint name used by the request log and fault injection ("POST /orders", "GET /orders/:id", …). */
export function payInEndpointName(method: string, apiPath: string): string {
  if (/^\/orders\/[^/]+$/.test(apiPath)) return `${method} /orders/:id`
  return `${method} ${apiPath.replace(/\/$/, "") || "/"}`
}

/** `apiPath` is the part after /payin/api/v1. */
export async function handlePayInApi(ctx: SandboxContext, apiPath: string, req: ParsedRequest): Promise<HttpResult> {
  if (apiPath === "/health" && req.method === "GET") return payInHealth(ctx)
  const auth = authorised(ctx, req)
  if ("denied" in auth) return auth.denied
  const { account } = auth
  const path = apiPath.replace(/\/$/, "")
  if (path === "/orders" && req.method === "POST") return createOrder(ctx, account, req)
  if (path === "/orders" && req.method === "GET") return listOrders(ctx, account, req.query)
  const single = /^\/orders\/([^/]+)$/.exec(path)
  if (single && req.method === "GET") return getOrder(ctx, account, decodeURIComponent(single[1]))
  return json(404, { error: "Not Found", message: `Cannot ${req.method} /api/v1${apiPath}` })
}
