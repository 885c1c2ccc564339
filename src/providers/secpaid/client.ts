import { createHash } from "node:crypto"
import http from "node:http"
import https from "node:https"
import axios, { type AxiosAdapter, type AxiosInstance, type AxiosResponse } from "axios"
import type { Logger } from "@medusajs/framework/types"
import { GatewayError, type GatewayErrorDetails } from "../../lib/errors"
import { currentGatewayCall, type GatewayCallPriority } from "../../lib/gateway-call-context"
import { BudgetExhaustedError, type RequestBudget } from "../../lib/request-budget"
import { redactString } from "../../lib/redact"
import { parseRetryAfter, withRetry } from "../../lib/retry"
import { SECPAID_REQUESTS_PER_MINUTE } from "./options"
import { secPaidRequestBudget } from "./request-budget"
import {
  createdLinkSchema,
  envelopeSchema,
  isSuccessEnvelope,
  linkRowsSchema,
  payInTransactionsSchema,
  type SecPaidCreatedLink,
  type SecPaidLinkRow,
  type SecPaidPayInTransaction,
} from "./responses"

/**
 * The SecPaid API v2 over HTTP: `POST <base><endpoint>`, the API key in a header
 * literally named `token`, form-urlencoded bodies (what SecPaid's own plugin sends
 * in production) except createSplitLink, which is only documented as JSON.
 *
 * Retries: a 429 is always retried (the request was refused, not processed), with
 * exponential backoff + jitter and never sooner than `Retry-After`. Network
 * errors, timeouts and 5xx are retried only for reads; for createLink and
 * refundPayment the outcome is unknown and the caller decides (the provider looks
 * the link up by its note instead of creating a second one).
 *
 * Every attempt first takes a request from the store's SecPaid budget (shared by all
 * instances through PostgreSQL, spent by priority): the calls that create, delete or
 * refund a payment are always `checkout`; the others have the priority of the current
 * gateway call (`runGatewayCall`). A call that gets no request in time fails with
 * `budget_exhausted` and is not retried here.
 */

export type SecPaidFailure = "rejected" | "rate_limited" | "budget_exhausted" | "server" | "timeout" | "network" | "invalid_response"

export class SecPaidApiError extends GatewayError {
  readonly endpoint: string
  readonly failure: SecPaidFailure
  /** True when SecPaid may have processed the request although we got no usable answer. */
  readonly outcomeUnknown: boolean
  readonly retryAfterMs?: number

  constructor(
    details: Omit<GatewayErrorDetails, "gateway"> & {
      endpoint: string
      failure: SecPaidFailure
      outcomeUnknown: boolean
      retryAfterMs?: number
    }
  ) {
    super({ ...details, gateway: "SecPaid" })
    this.name = "SecPaidApiError"
    this.endpoint = details.endpoint
    this.failure = details.failure
    this.outcomeUnknown = details.outcomeUnknown
    this.retryAfterMs = details.retryAfterMs
  }

  /** The gateway said so, in one of its known words ("Link not found", "already used"…). */
  saysMatches(re: RegExp): boolean {
    return this.failure === "rejected" && re.test(this.gatewayMessage ?? "")
  }
}

export type SecPaidClientConfig = {
  apiKey: string
  /** Ends with a slash, e.g. https://app.secpaid.com/api/v2/ */
  baseUrl: string
  timeoutMs: number
  environment?: string
  logger?: Pick<Logger, "warn" | "info" | "debug">
  /** Other values never to print (encryption key, split recipient tokens). */
  extraSecrets?: readonly string[]
  /** Tests replace the network here, not the code under test. */
  adapter?: AxiosAdapter
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  /** Where requests are counted; default: the store-wide SecPaid budget with the default policy. */
  budget?: Pick<RequestBudget, "acquire">
  /** Total attempts per call, including the first (default 6). */
  maxAttempts?: number
}

export type CreateLinkParams = {
  amount: string
  recipientNote: string
  callbackUrl?: string
  paymentEndpoint?: string
  cancellable: boolean
  bankTransfer: boolean
  encryptionKey?: string
}

export type CreateSplitLinkParams = Omit<CreateLinkParams, "bankTransfer" | "encryptionKey"> & {
  recipients: ReadonlyArray<{ token: string; share: string }>
  splitType: "normal" | "absolute"
}

export type PayInTransactionsQuery = { payId: string } | { search?: string; since?: number; limit?: number; page?: number }

/** At most one budget warning per priority in this long: a flood of refusals must not become a flood of log lines. */
const BUDGET_WARNING_INTERVAL_MS = 10_000

const EMPTY_LIST_MESSAGE = /(no .*found|not found|no record|no data|no transaction|no link|empty)/i

type CallOptions = {
  json?: boolean
  /** Safe to send again after a network error / timeout / 5xx (reads). */
  repeatable: boolean
  /** A "nothing found" rejection means an empty list. */
  emptyOnNotFound?: boolean
  /** Creates, deletes or refunds a payment: spends the budget as checkout whatever the caller's priority. */
  checkout?: boolean
}

/** The request budget's key for an API key: a hash, never the key itself (it is stored in the shared slot table). */
export function secPaidBudgetKey(apiKey: string): string {
  return `secpaid:${createHash("sha256").update(apiKey).digest("hex").slice(0, 16)}`
}

export class SecPaidClient {
  private readonly http: AxiosInstance
  private readonly budget: Pick<RequestBudget, "acquire">
  private readonly budgetKey: string
  private readonly secrets: readonly string[]
  private readonly budgetWarnings = new Map<GatewayCallPriority, { at: number; suppressed: number }>()

  constructor(private readonly config: SecPaidClientConfig) {
    this.budget = config.budget ?? secPaidRequestBudget()
    this.budgetKey = secPaidBudgetKey(config.apiKey)
    this.secrets = [config.apiKey, ...(config.extraSecrets ?? [])]
    this.http = axios.create({
      baseURL: config.baseUrl,
      timeout: config.timeoutMs,
      httpAgent: new http.Agent({ keepAlive: true }),
      httpsAgent: new https.Agent({ keepAlive: true }),
      adapter: config.adapter,
      // Every status is inspected by parseResponse; axios must not throw its own error (it would carry the headers).
      validateStatus: () => true,
      maxRedirects: 0,
      transitional: { clarifyTimeoutError: true, silentJSONParsing: true, forcedJSONParsing: true },
    })
  }

  async createLink(params: CreateLinkParams): Promise<SecPaidCreatedLink> {
    const body: Record<string, string | undefined> = {
      amount: params.amount,
      recipient_note: params.recipientNote,
      callback_url: params.callbackUrl,
      payment_endpoint: params.paymentEndpoint,
      // Both generations of the flag: `cancellable` (new) and `is_cancellation` (old).
      cancellable: String(params.cancellable),
      is_cancellation: params.cancellable ? "Yes" : "No",
      bank_transfer: String(params.bankTransfer),
      ...(params.encryptionKey ? { is_encryption: "true", encryption_key: params.encryptionKey } : {}),
    }
    const data = await this.call("createLink", body, { repeatable: false, checkout: true })
    return this.parseData("createLink", createdLinkSchema, data)
  }

  async createSplitLink(params: CreateSplitLinkParams): Promise<SecPaidCreatedLink> {
    const body = {
      amount: params.amount,
      recipients: params.recipients.map((r) => ({ token: r.token, share: r.share })),
      split_type: params.splitType,
      recipient_note: params.recipientNote,
      callback_url: params.callbackUrl,
      payment_endpoint: params.paymentEndpoint,
      cancellable: String(params.cancellable),
    }
    const data = await this.call("createSplitLink", body, { json: true, repeatable: false, checkout: true })
    return this.parseData("createSplitLink", createdLinkSchema, data)
  }

  async getPayInTransactions(query: PayInTransactionsQuery): Promise<SecPaidPayInTransaction[]> {
    const body =
      "payId" in query
        ? { pay_id: query.payId }
        : {
            search: query.search,
            since: query.since === undefined ? undefined : String(query.since),
            limit: query.limit === undefined ? undefined : String(query.limit),
            page: query.page === undefined ? undefined : String(query.page),
          }
    const data = await this.call("getPayInTransactions", body, { repeatable: true, emptyOnNotFound: true })
    const rows = this.parseData("getPayInTransactions", payInTransactionsSchema, data)
    // Some generations ignore the filter and return recent rows: keep only the asked link's.
    return "payId" in query ? rows.filter((r) => r.payId === query.payId) : rows
  }

  async getMyUnusedLinks(query: { search?: string; limit?: number }): Promise<SecPaidLinkRow[]> {
    const data = await this.call("getMyUnusedLinks", listBody(query), { repeatable: true, emptyOnNotFound: true })
    return this.parseData("getMyUnusedLinks", linkRowsSchema, data)
  }

  async getMyUsedLinks(query: { search?: string; limit?: number }): Promise<SecPaidLinkRow[]> {
    const data = await this.call("getMyUsedLinks", listBody(query), { repeatable: true, emptyOnNotFound: true })
    return this.parseData("getMyUsedLinks", linkRowsSchema, data)
  }

  async deleteLink(payId: string): Promise<void> {
    // Deleting twice is harmless, but a second attempt answers "Link not found": the caller tolerates that.
    await this.call("deleteLink", { link_id: payId }, { repeatable: true, checkout: true })
  }

  async refundPayment(params: { payId: string; refundAmount: string; isFullRefund: boolean }): Promise<unknown> {
    return await this.call(
      "refundPayment",
      { pay_id: params.payId, refund_amount: params.refundAmount, isFullRefund: String(params.isFullRefund) },
      { repeatable: false, checkout: true }
    )
  }

  private async call(endpoint: string, body: Record<string, unknown>, options: CallOptions): Promise<unknown> {
    const payload = options.json ? JSON.stringify(stripUndefined(body)) : formEncode(body)
    const headers = {
      token: this.config.apiKey,
      "Content-Type": options.json ? "application/json" : "application/x-www-form-urlencoded",
      Accept: "application/json",
    }
    const priority: GatewayCallPriority = options.checkout ? "checkout" : currentGatewayCall().priority
    return await withRetry(
      async () => {
        await this.spendBudget(endpoint, priority)
        let response: AxiosResponse
        try {
          response = await this.http.post(endpoint, payload, { headers, responseType: "text", transformResponse: [(d) => d] })
        } catch (error) {
          throw this.transportError(endpoint, error)
        }
        return this.parseResponse(endpoint, response, options)
      },
      {
        attempts: this.config.maxAttempts ?? 6,
        baseDelayMs: 1_000,
        maxDelayMs: 30_000,
        sleep: this.config.sleep,
        random: this.config.random,
        decide: (error) => {
          if (!(error instanceof SecPaidApiError)) return { retry: false }
          if (error.failure === "rate_limited") return { retry: true, minDelayMs: error.retryAfterMs }
          if (options.repeatable && error.retryable) return { retry: true }
          return { retry: false }
        },
        onRetry: ({ error, attempt, delayMs }) => {
          const e = error as SecPaidApiError
          this.config.logger?.warn(
            `SecPaid ${endpoint} attempt ${attempt} failed (${e.failure}${e.httpStatus ? `, HTTP ${e.httpStatus}` : ""}${
              e.requestId ? `, request id ${e.requestId}` : ""
            }); retrying in ${delayMs} ms.`
          )
        },
      }
    )
  }

  /** One request from the store's SecPaid budget, or a `budget_exhausted` error (never a hang). */
  private async spendBudget(endpoint: string, priority: GatewayCallPriority): Promise<void> {
    try {
      await this.budget.acquire(this.budgetKey, priority)
    } catch (error) {
      if (!(error instanceof BudgetExhaustedError)) throw error
      this.warnBudgetRefusal(endpoint, error)
      const what = priority === "checkout" ? `${endpoint} was not sent` : `the payment check (${endpoint}) is postponed`
      throw new SecPaidApiError({
        endpoint,
        failure: "budget_exhausted",
        outcomeUnknown: false,
        retryable: false,
        summary: `This store has used SecPaid's ${SECPAID_REQUESTS_PER_MINUTE} requests a minute, so ${what}; try again in a minute`,
      })
    }
  }

  private warnBudgetRefusal(endpoint: string, error: BudgetExhaustedError): void {
    const now = Date.now()
    const last = this.budgetWarnings.get(error.priority)
    if (last && now - last.at < BUDGET_WARNING_INTERVAL_MS) {
      last.suppressed++
      return
    }
    this.budgetWarnings.set(error.priority, { at: now, suppressed: 0 })
    const why = error.reason === "timeout" ? `no request came free within ${error.waitedMs} ms` : "too many calls were already waiting"
    const more = last?.suppressed ? ` (${last.suppressed} more ${error.priority} calls were refused since the last warning)` : ""
    this.config.logger?.warn(
      `SecPaid ${endpoint} (${error.priority}) was not sent because this store's ${SECPAID_REQUESTS_PER_MINUTE} SecPaid requests a minute are spent and ${why}${more}; it can be tried again in a minute.`
    )
  }

  private parseResponse(endpoint: string, response: AxiosResponse, options: CallOptions): unknown {
    const status = response.status
    const requestId = headerValue(response.headers, "x-kong-request-id")
    const envelope = envelopeSchema.safeParse(parseJson(response.data))
    const gatewayMessage = envelope.success && envelope.data.ResponseMsg ? this.clean(envelope.data.ResponseMsg) : undefined
    const base = { endpoint, httpStatus: status, requestId, gatewayMessage }

    if (status === 429) {
      return this.fail({
        ...base,
        failure: "rate_limited",
        outcomeUnknown: false,
        retryable: true,
        retryAfterMs: parseRetryAfter(headerValue(response.headers, "retry-after")),
        summary: `SecPaid's rate limit (${SECPAID_REQUESTS_PER_MINUTE} requests per minute) was still exceeded after several attempts at ${endpoint}; wait a minute and try again`,
      })
    }
    if (status >= 500) {
      return this.fail({
        ...base,
        failure: "server",
        outcomeUnknown: true,
        retryable: true,
        summary: `SecPaid had a server error answering ${endpoint}; try again in a few minutes`,
      })
    }
    if (!envelope.success) {
      return this.fail({
        ...base,
        failure: status >= 400 ? "rejected" : "invalid_response",
        outcomeUnknown: status < 400,
        retryable: false,
        summary: `SecPaid answered ${endpoint} with HTTP ${status} and a body that is not its documented envelope; check baseUrl points at the SecPaid API v2`,
      })
    }
    if (status >= 400 || !isSuccessEnvelope(envelope.data)) {
      if (options.emptyOnNotFound && status < 500 && EMPTY_LIST_MESSAGE.test(gatewayMessage ?? "")) return []
      return this.fail({
        ...base,
        failure: "rejected",
        outcomeUnknown: false,
        retryable: false,
        summary: rejectionSummary(endpoint, gatewayMessage, this.config.environment),
      })
    }
    return envelope.data.data
  }

  private parseData<T>(endpoint: string, schema: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Array<{ path: PropertyKey[]; message: string }> } } }, data: unknown): T {
    const parsed = schema.safeParse(data)
    if (parsed.success) return parsed.data
    const issue = parsed.error.issues[0]
    return this.fail({
      endpoint,
      failure: "invalid_response",
      outcomeUnknown: true,
      retryable: false,
      summary: `SecPaid's answer to ${endpoint} did not have the documented shape (${issue.path.map(String).join(".") || "data"}: ${this.clean(issue.message)}); report this with the request id`,
    })
  }

  private transportError(endpoint: string, error: unknown): SecPaidApiError {
    const code = axios.isAxiosError(error) ? error.code : undefined
    const timedOut = code === "ETIMEDOUT" || code === "ECONNABORTED"
    if (timedOut) {
      return new SecPaidApiError({
        endpoint,
        failure: "timeout",
        outcomeUnknown: true,
        retryable: true,
        summary: `SecPaid did not answer ${endpoint} within ${this.config.timeoutMs} ms; try again, and raise requestTimeoutMs if this keeps happening`,
      })
    }
    // Only the error code is kept: axios messages and configs can carry request headers.
    return new SecPaidApiError({
      endpoint,
      failure: "network",
      // A connection that was never made cannot have created anything.
      outcomeUnknown: !(code === "ECONNREFUSED" || code === "ENOTFOUND" || code === "EAI_AGAIN"),
      retryable: true,
      code,
      summary: `SecPaid could not be reached for ${endpoint}${code ? ` (${code})` : ""}; check the network and the baseUrl option`,
    })
  }

  private fail(details: ConstructorParameters<typeof SecPaidApiError>[0]): never {
    throw new SecPaidApiError({ ...details, summary: this.clean(details.summary) })
  }

  private clean(text: string): string {
    return redactString(text, this.secrets)
  }
}

function rejectionSummary(endpoint: string, message: string | undefined, environment?: string): string {
  if (/token/i.test(message ?? "")) {
    return `SecPaid refused the API key at ${endpoint}; check the apiKey option and that the key belongs to the ${environment ?? "configured"} environment`
  }
  return `SecPaid refused ${endpoint}`
}

function listBody(query: { search?: string; limit?: number }): Record<string, string | undefined> {
  return { search: query.search, limit: query.limit === undefined ? undefined : String(query.limit) }
}

function stripUndefined(body: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined))
}

function formEncode(body: Record<string, unknown>): string {
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(body)) {
    if (value !== undefined && value !== null) params.append(key, String(value))
  }
  return params.toString()
}

function parseJson(data: unknown): unknown {
  if (typeof data !== "string") return data
  try {
    return JSON.parse(data)
  } catch {
    return undefined
  }
}

function headerValue(headers: AxiosResponse["headers"], name: string): string | undefined {
  const value = (headers as Record<string, unknown> | undefined)?.[name] ?? (headers as any)?.get?.(name)
  if (Array.isArray(value)) return value[0] === undefined ? undefined : String(value[0])
  return value === undefined || value === null ? undefined : String(value)
}
