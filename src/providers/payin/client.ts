import http from "node:http"
import https from "node:https"
import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from "axios"
import { z } from "zod"
import { MedusaError } from "@medusajs/framework/utils"
import { GatewayError } from "../../lib/errors"
import { redactString } from "../../lib/redact"
import { withRetry, type RetryOptions } from "../../lib/retry"
import {
  payInErrorBodySchema,
  payInOrderSchema,
  payInSuccessEnvelopeSchema,
  type PayInOrder,
} from "./responses"

/**
 * The PayIn HTTP client: Bearer auth, zod-parsed envelopes, typed errors, and
 * retries on network errors and 5xx only (PayIn's own advice; a 4xx is final).
 *
 * PayIn has no idempotency key, so `createOrder` is only retried after looking the
 * order up by its reference: a POST that timed out may have created the order.
 */

export type PayInLogger = { warn(msg: string): void; error(msg: string): void; info?(msg: string): void }

export type PayInClientConfig = {
  apiKey: string
  baseUrl: string
  timeoutMs: number
  logger?: PayInLogger
  /** Replaces the network in tests. */
  adapter?: AxiosAdapter
  retry?: Partial<Pick<RetryOptions, "attempts" | "baseDelayMs" | "maxDelayMs" | "sleep" | "random">>
}

export type CreatePayInOrderInput = {
  orderReference: string
  /** Exact decimal string, e.g. "32.25". */
  amount: string
  currency: string
  chainId: string
  successUrl?: string
  cancelUrl?: string
  paymentWindowMinutes?: number
  graceMinutes?: number
  metadata?: Record<string, unknown>
}

const keepAliveHttp = new http.Agent({ keepAlive: true, maxSockets: 20 })
const keepAliveHttps = new https.Agent({ keepAlive: true, maxSockets: 20 })

/** Query of GET /orders as batch reconciliation uses it. */
export type ListPayInOrdersQuery = {
  /** One status or several (sent as PayIn's comma list), e.g. ["completed", "expired"]. */
  status?: string | string[]
  page?: number
  /** Rows per page; PayIn caps it at 100. Default 100. */
  limit?: number
  /** ISO 8601: only orders created at or after this instant. */
  createdAfter?: string
  createdBefore?: string
  sortOrder?: "asc" | "desc"
}

export type PayInOrderPage = {
  orders: PayInOrder[]
  page: number
  totalPages?: number
  total?: number
}

export const PAYIN_MAX_PAGE_SIZE = 100

const orderListSchema = z.union([
  z.array(z.unknown()),
  z.object({ orders: z.array(z.unknown()) }).transform((o) => o.orders),
  z.object({ items: z.array(z.unknown()) }).transform((o) => o.items),
])

/** Errors a retry may fix: the request never got an answer, or PayIn failed on its side. */
export function isTransientPayInError(error: unknown): boolean {
  return error instanceof GatewayError && error.retryable && (error.httpStatus === undefined || error.httpStatus >= 500)
}

export class PayInClient {
  private readonly http: AxiosInstance
  private readonly retry: Pick<RetryOptions, "attempts" | "baseDelayMs" | "maxDelayMs" | "sleep" | "random">

  constructor(private readonly config: PayInClientConfig) {
    this.http = axios.create({
      baseURL: config.baseUrl.replace(/\/+$/, "") + "/",
      timeout: config.timeoutMs,
      httpAgent: keepAliveHttp,
      httpsAgent: keepAliveHttps,
      adapter: config.adapter,
      headers: {
        Authorization: `Bearer ${config.apiKey}`,
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": "medusa-payment-payin",
      },
      // Every status is turned into a typed error by `unwrap`, not by axios.
      validateStatus: () => true,
      maxRedirects: 0,
    })
    this.retry = { attempts: 4, baseDelayMs: 300, maxDelayMs: 3000, ...config.retry }
  }

  /** GET /orders/:id. */
  async getOrder(orderId: string): Promise<PayInOrder> {
    const data = await this.withTransientRetry(`GET /orders/${orderId}`, () =>
      this.send("get", `orders/${encodeURIComponent(orderId)}`)
    )
    return this.parseOrder(data, `GET /orders/${orderId}`)
  }

  /**
   * Orders whose reference is exactly `orderReference`, newest first. The server's
   * filter is a partial, case-insensitive match, so the exact filter happens here.
   */
  async findOrdersByReference(orderReference: string): Promise<PayInOrder[]> {
    const data = await this.withTransientRetry("GET /orders", () => this.listOrdersByReferenceOnce(orderReference))
    return this.exactReferenceMatches(data, orderReference)
  }

  /**
   * GET /orders: one page of orders (at most 100), for checking many pending orders in
   * one call. A read, so retried on network errors and 5xx. Rows PayIn sends that are
   * not readable orders are skipped (and logged), not fatal: one odd row must not stop
   * the other 99 from being reconciled.
   */
  async listOrders(query: ListPayInOrdersQuery = {}): Promise<PayInOrderPage> {
    const limit = Math.min(Math.max(1, Math.trunc(query.limit ?? PAYIN_MAX_PAGE_SIZE)), PAYIN_MAX_PAGE_SIZE)
    const page = Math.max(1, Math.trunc(query.page ?? 1))
    const params: Record<string, string | number> = { page, limit }
    const statuses = query.status === undefined ? [] : Array.isArray(query.status) ? query.status : [query.status]
    if (statuses.length) params.status = statuses.join(",")
    if (query.createdAfter) params.createdAfter = query.createdAfter
    if (query.createdBefore) params.createdBefore = query.createdBefore
    if (query.sortOrder) {
      params.sortBy = "created_at"
      params.sortOrder = query.sortOrder
    }
    const { data, pagination } = await this.withTransientRetry("GET /orders", () => this.sendWithEnvelope("get", "orders", undefined, params))
    const list = orderListSchema.safeParse(data)
    if (!list.success) throw this.malformed("GET /orders", list.error)
    const orders: PayInOrder[] = []
    let unreadable = 0
    for (const row of list.data) {
      const parsed = payInOrderSchema.safeParse(row)
      if (parsed.success) orders.push(parsed.data)
      else unreadable++
    }
    if (unreadable) this.config.logger?.warn(`PayIn: GET /orders page ${page} held ${unreadable} row(s) that are not readable orders; skipped.`)
    return { orders, page: pagination?.page ?? page, totalPages: pagination?.totalPages, total: pagination?.total }
  }

  /**
   * POST /orders, safe to retry: after a network error, timeout or 5xx the order is
   * looked up by reference (same amount, token and chain, still pending) before a
   * second one is created, so a shopper never gets two addresses for one payment.
   */
  async createOrder(input: CreatePayInOrderInput): Promise<PayInOrder> {
    let outcomeUnknown = false
    return withRetry(
      async () => {
        if (outcomeUnknown) {
          const listed = await this.listOrdersByReferenceOnce(input.orderReference)
          const existing = this.exactReferenceMatches(listed, input.orderReference).find(
            (o) =>
              o.status === "pending" &&
              o.amount === input.amount &&
              o.token === input.currency.toUpperCase() &&
              o.chainId === input.chainId
          )
          if (existing) {
            this.config.logger?.warn(
              `PayIn: POST /orders for reference ${input.orderReference} had no clear answer; reusing order ${existing.id} it had already created.`
            )
            return existing
          }
        }
        try {
          const data = await this.send("post", "orders", input)
          return this.parseOrder(data, "POST /orders")
        } catch (error) {
          outcomeUnknown = outcomeUnknown || isTransientPayInError(error)
          throw error
        }
      },
      {
        ...this.retry,
        decide: (error) => ({ retry: isTransientPayInError(error) }),
        onRetry: ({ error, attempt, delayMs }) => this.logRetry("POST /orders", error, attempt, delayMs),
      }
    )
  }

  private listOrdersByReferenceOnce(orderReference: string): Promise<unknown> {
    return this.send("get", "orders", undefined, { orderReference, limit: 100 })
  }

  private exactReferenceMatches(data: unknown, orderReference: string): PayInOrder[] {
    const list = orderListSchema.safeParse(data)
    if (!list.success) throw this.malformed("GET /orders", list.error)
    return list.data
      .map((row) => payInOrderSchema.safeParse(row))
      .filter((r) => r.success)
      .map((r) => r.data)
      .filter((o) => o.orderReference === orderReference)
      .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? ""))
  }

  private parseOrder(data: unknown, what: string): PayInOrder {
    const parsed = payInOrderSchema.safeParse(data)
    if (!parsed.success) throw this.malformed(what, parsed.error)
    return parsed.data
  }

  private withTransientRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withRetry(fn, {
      ...this.retry,
      decide: (error) => ({ retry: isTransientPayInError(error) }),
      onRetry: ({ error, attempt, delayMs }) => this.logRetry(what, error, attempt, delayMs),
    })
  }

  private logRetry(what: string, error: unknown, attempt: number, delayMs: number) {
    const reason = error instanceof Error ? error.message : String(error)
    this.config.logger?.warn(
      `PayIn: ${what} failed on attempt ${attempt} (${this.redact(reason)}); retrying in ${delayMs} ms.`
    )
  }

  /** One HTTP exchange; returns the envelope's `data` or throws a GatewayError. */
  private async send(
    method: "get" | "post",
    path: string,
    body?: unknown,
    params?: Record<string, string | number>
  ): Promise<unknown> {
    return (await this.sendWithEnvelope(method, path, body, params)).data
  }

  /** One HTTP exchange; returns the envelope's `data` and `pagination` (when sent), or throws a GatewayError. */
  private async sendWithEnvelope(
    method: "get" | "post",
    path: string,
    body?: unknown,
    params?: Record<string, string | number>
  ): Promise<{ data: unknown; pagination?: PayInPagination }> {
    let response: AxiosResponse
    try {
      response = await this.http.request({ method, url: path, data: body, params })
    } catch (error) {
      const code = (error as { code?: string }).code
      const timedOut = code === "ECONNABORTED" || code === "ETIMEDOUT"
      throw new GatewayError({
        gateway: "PayIn",
        summary: timedOut
          ? `PayIn did not answer ${method.toUpperCase()} /${path} within ${this.config.timeoutMs} ms; try again shortly`
          : `Could not reach PayIn for ${method.toUpperCase()} /${path} (${code ?? "network error"}); check the network and \`baseUrl\`, then try again`,
        retryable: true,
      })
    }
    return this.unwrap(response, `${method.toUpperCase()} /${path}`)
  }

  private unwrap(response: AxiosResponse, what: string): { data: unknown; pagination?: PayInPagination } {
    const { status, data: body } = response
    const requestId = headerText(response.headers?.["x-request-id"])
    if (status >= 200 && status < 300) {
      if (body && typeof body === "object" && "success" in body) {
        const envelope = payInSuccessEnvelopeSchema.safeParse(body)
        if (!envelope.success) throw this.errorFromBody(status, body, what, requestId)
        return { data: envelope.data.data, pagination: envelope.data.pagination ?? undefined }
      }
      // Some server routes answer with the bare row.
      return { data: body }
    }
    throw this.errorFromBody(status, body, what, requestId)
  }

  private errorFromBody(status: number, body: unknown, what: string, requestId?: string): GatewayError {
    const parsed = payInErrorBodySchema.safeParse(typeof body === "object" && body !== null ? body : {})
    const info = parsed.success ? parsed.data : { code: undefined, message: undefined, error: undefined, requestId: undefined }
    const code = info.code
    const gatewayMessage = info.message ? this.redact(info.message) : undefined
    const common = { gateway: "PayIn" as const, code, gatewayMessage, httpStatus: status, requestId: info.requestId ?? requestId }

    if (code === "ADDRESS_POOL_EXHAUSTED" || code === "InsufficientAddresses") {
      return new GatewayError({
        ...common,
        summary: "PayIn has no free payment address right now; please try again in a few minutes",
        retryable: true,
        type: MedusaError.Types.UNEXPECTED_STATE,
      })
    }
    if (status === 401) {
      return new GatewayError({
        ...common,
        summary: `PayIn rejected the API key on ${what}; check the \`apiKey\` option matches the PayIn \`environment\``,
        // The shopper is not the one unauthorised: this is the merchant's configuration.
        type: MedusaError.Types.UNEXPECTED_STATE,
      })
    }
    if (status === 404) {
      return new GatewayError({ ...common, summary: `PayIn has no such resource for ${what}`, type: MedusaError.Types.NOT_FOUND })
    }
    if (status === 429) {
      return new GatewayError({ ...common, summary: `PayIn is rate limiting ${what}; wait a minute and try again`, retryable: false })
    }
    if (status >= 500) {
      return new GatewayError({ ...common, summary: `PayIn failed on its side while handling ${what}; try again shortly`, retryable: true })
    }
    if (status >= 400) {
      return new GatewayError({
        ...common,
        summary: `PayIn refused ${what}; check the request and the provider options`,
        type: status === 403 ? MedusaError.Types.NOT_ALLOWED : MedusaError.Types.INVALID_DATA,
      })
    }
    return new GatewayError({ ...common, summary: `PayIn sent an unexpected answer to ${what}` })
  }

  private malformed(what: string, error: z.ZodError): GatewayError {
    return new GatewayError({
      gateway: "PayIn",
      summary: `PayIn answered ${what} with a body this plugin cannot read (${error.issues
        .slice(0, 3)
        .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
        .join("; ")}); check \`baseUrl\` points at the PayIn API v1`,
    })
  }

  private redact(text: string): string {
    return redactString(text, [this.config.apiKey])
  }
}

type PayInPagination = { page?: number; limit?: number; total?: number; totalPages?: number }

function headerText(value: unknown): string | undefined {
  return typeof value === "string" && value ? value : undefined
}
