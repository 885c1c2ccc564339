import type { ActiveFault, FaultSpec, Gateway } from "./faults"
import type { LoggedRequest } from "./request-log"
import type { Delivery, WebhookBehaviourSpec } from "./webhook-delivery"
import type { SecPaidEnvironment } from "./credentials"
import type { SecPaidConfig, SecPaidLink, SecPaidTransaction, SecPaidWebhookFormat } from "./secpaid/state"
import type { PayInConfig, PayInOrder, PayInSignatureForm } from "./payin/state"
import type { PayInWebhookVariant } from "./payin/webhooks"

export type { Delivery, FaultSpec, Gateway, LoggedRequest, PayInOrder, SecPaidEnvironment, SecPaidLink, SecPaidTransaction, WebhookBehaviourSpec }

/**
 * A SecPaid link as the control API shows it: the stored link plus `pay_id` and `account`, the label of the
 * account whose key created it (`"default"` for the built-in keys).
 */
export type SandboxSecPaidLink = SecPaidLink & { pay_id: string; account: string }

/** A SecPaid pay-in row as the control API shows it, with the label of the owning `account`. */
export type SandboxSecPaidTransaction = SecPaidTransaction & { account: string }

/** A PayIn order as the control API shows it, with the label of the owning `account` (`"default"` for the built-in key). */
export type SandboxPayInOrder = PayInOrder & { account: string }

/**
 * Typed client for the sandbox's control API (/__control). Used by the plugin's
 * integration and e2e tests to play the customer, the gateway's back office and a
 * faulty network. Every method that triggers webhooks resolves once their first
 * attempts are done, with those attempts as `deliveries`.
 */
export class SandboxControl {
  private readonly base: string

  constructor(url: string) {
    this.base = `${url.replace(/\/$/, "")}/__control`
  }

  private async call<T>(method: "GET" | "POST" | "DELETE", path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.base}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    const value = text ? (JSON.parse(text) as unknown) : undefined
    if (!res.ok) {
      const message = (value as { error?: string } | undefined)?.error ?? text
      throw new Error(`Sandbox control ${method} ${path} failed (HTTP ${res.status}): ${message}`)
    }
    return value as T
  }

  private static query(params: Record<string, string | undefined>): string {
    const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined))
    const s = q.toString()
    return s ? `?${s}` : ""
  }

  /** Forget all links, orders, requests, deliveries, faults, behaviours and clock offset; restore default settings. */
  async reset(): Promise<void> {
    await this.call("POST", "/reset", {})
  }

  /** Requests the sandbox received on the gateway APIs and hosted pages, oldest first. */
  requests(filter: { gateway?: Gateway; endpoint?: string } = {}): Promise<LoggedRequest[]> {
    return this.call("GET", `/requests${SandboxControl.query(filter)}`)
  }

  /** The next `count` calls to the gateway (optionally one endpoint: "createLink", "POST /orders", "GET /orders/:id") misbehave. */
  async injectFault(spec: FaultSpec): Promise<void> {
    await this.call("POST", "/faults", spec)
  }

  /** Faults still waiting for the calls they will shape; a fault leaves the list when its last call arrives. */
  faults(): Promise<ActiveFault[]> {
    return this.call("GET", "/faults")
  }

  async clearFaults(): Promise<void> {
    await this.call("DELETE", "/faults")
  }

  /** Every webhook attempt so far (both gateways, including PayIn retries), oldest first. */
  deliveries(filter: { gateway?: Gateway; url?: string; eventId?: string } = {}): Promise<Delivery[]> {
    return this.call("GET", `/deliveries${SandboxControl.query(filter)}`)
  }

  /** Duplicate, drop, delay or reorder the next `count` webhooks of a gateway ("normal" clears it). */
  async webhookBehaviour(spec: WebhookBehaviourSpec): Promise<void> {
    await this.call("POST", "/webhook-behaviour", spec)
  }

  /** Send webhooks still held back by a "reorder" behaviour. */
  async flushHeldWebhooks(): Promise<{ deliveries: Delivery[] }> {
    return this.call("POST", "/webhooks/flush", {})
  }

  /** Move the sandbox clock forward; PayIn orders past their grace period expire (their webhooks are in `deliveries`). */
  advanceClock(seconds: number): Promise<{ now: string; offsetSeconds: number; deliveries: Delivery[] }> {
    return this.call("POST", "/clock/advance", { seconds })
  }

  clock(): Promise<{ now: string; offsetSeconds: number }> {
    return this.call("GET", "/clock")
  }

  // ---- SecPaid ----

  secpaidLinks(): Promise<SandboxSecPaidLink[]> {
    return this.call("GET", "/secpaid/links")
  }

  secpaidLink(payId: string | number): Promise<SandboxSecPaidLink> {
    return this.call("GET", `/secpaid/links/${encodeURIComponent(String(payId))}`)
  }

  secpaidTransactions(): Promise<SandboxSecPaidTransaction[]> {
    return this.call("GET", "/secpaid/transactions")
  }

  /**
   * Press Pay on the hosted page: link Used, a pay-in row, webhooks, and the URL the browser is sent to.
   * `transactionStatus: "Pending"` records an unsettled payment (settle it with secpaidSettle); the webhook still says success.
   */
  secpaidPay(payId: string | number, opts: { webhookFormat?: SecPaidWebhookFormat; transactionStatus?: "Success" | "Pending" } = {}): Promise<{ redirectUrl: string; deliveries: Delivery[]; link: SandboxSecPaidLink }> {
    return this.call("POST", `/secpaid/links/${encodeURIComponent(String(payId))}/pay`, opts)
  }

  /** Press Cancel on the hosted page (only cancellable links). */
  secpaidCancel(payId: string | number, opts: { webhookFormat?: SecPaidWebhookFormat } = {}): Promise<{ redirectUrl: string; deliveries: Delivery[]; link: SandboxSecPaidLink }> {
    return this.call("POST", `/secpaid/links/${encodeURIComponent(String(payId))}/cancel`, opts)
  }

  /** A SecPaid admin approves the pending refund request: a `Refund` row with the same pay_id appears. */
  secpaidApproveRefund(payId: string | number): Promise<SandboxSecPaidLink> {
    return this.call("POST", `/secpaid/links/${encodeURIComponent(String(payId))}/approve-refund`, {})
  }

  /** A pending pay-in row becomes `Success` (no webhook, as with SecPaid). */
  secpaidSettle(payId: string | number): Promise<SandboxSecPaidLink> {
    return this.call("POST", `/secpaid/links/${encodeURIComponent(String(payId))}/settle`, {})
  }

  /** A chargeback: a `Dispute` row appears and refund requests are refused ("Refund blocked by dispute"). */
  secpaidDispute(payId: string | number): Promise<SandboxSecPaidLink> {
    return this.call("POST", `/secpaid/links/${encodeURIComponent(String(payId))}/dispute`, {})
  }

  /**
   * Add a merchant account: its key is accepted like the built-in key of its environment (default development),
   * and sees only the links and pay-in rows it created. `account` labels the account in the control API's
   * records (default: a label derived from the key). The same label may have one key per environment.
   * `reset()` removes added accounts.
   */
  secpaidAddAccount(input: { apiKey: string; environment?: SecPaidEnvironment; account?: string }): Promise<{ account: string; environment: SecPaidEnvironment }> {
    return this.call("POST", "/secpaid/accounts", input)
  }

  /** Change SecPaid behaviour: webhook format, `&amp;` redirects, docs generation ("old" → `linktopay_id`), profile URLs, rate limit. */
  secpaidConfigure(config: Partial<SecPaidConfig>): Promise<SecPaidConfig> {
    return this.call("POST", "/secpaid/config", config)
  }

  /** Send a SecPaid webhook for a link that was NOT paid (a forgery): the receiver must not trust it. */
  secpaidSendWebhook(input: {
    payId: string | number
    status: "success" | "cancel"
    to: string
    format?: SecPaidWebhookFormat
    amount?: string
    encryptionKey?: string
  }): Promise<{ deliveries: Delivery[] }> {
    return this.call("POST", "/secpaid/send-webhook", input)
  }

  // ---- PayIn ----

  payinOrders(): Promise<SandboxPayInOrder[]> {
    return this.call("GET", "/payin/orders")
  }

  payinOrder(orderId: string): Promise<SandboxPayInOrder> {
    return this.call("GET", `/payin/orders/${encodeURIComponent(orderId)}`)
  }

  /** A wallet sends `amount` (decimal string) to the order's address; confirmed instantly. */
  payinTransfer(orderId: string, input: { amount: string }): Promise<{ order: SandboxPayInOrder; deliveries: Delivery[] }> {
    return this.call("POST", `/payin/orders/${encodeURIComponent(orderId)}/transfer`, input)
  }

  /**
   * Add a merchant account: its key is accepted like the built-in one and sees only its own orders, whose webhooks
   * are signed with `webhookSecret` and go to the endpoints set with `payinSetWebhookEndpoints(…, { apiKey })`
   * (none at first). `account` labels the account in the control API's records (default: a label derived from
   * the key). `reset()` removes added accounts.
   */
  payinAddAccount(input: { apiKey: string; webhookSecret: string; account?: string }): Promise<{ account: string }> {
    return this.call("POST", "/payin/accounts", input)
  }

  /**
   * Where PayIn sends the webhooks of the account with `apiKey` (default: the built-in key's account); `secret`
   * defaults to that account's webhook secret (SANDBOX_PAYIN_WEBHOOK_SECRET for the default account),
   * `signatureForm` to `timestamped` (`plain`: the header is just the hex HMAC of the body). Replaces the list.
   */
  async payinSetWebhookEndpoints(
    endpoints: Array<{ url: string; secret?: string; signatureForm?: PayInSignatureForm }>,
    opts: { apiKey?: string } = {}
  ): Promise<void> {
    await this.call("POST", "/payin/webhook-endpoints", { endpoints, apiKey: opts.apiKey })
  }

  /** Address pool size (0 → ADDRESS_POOL_EXHAUSTED), duplicate-reference check, transfer.detected events, retry delays. */
  payinConfigure(config: Partial<Omit<PayInConfig, "webhookEndpoints">> & { retryDelaysMs?: number[] }): Promise<PayInConfig & { retryDelaysMs: number[] }> {
    return this.call("POST", "/payin/config", config)
  }

  /**
   * Send an event for an order, correctly signed or not (forged = tampered body, wrong-secret, unsigned, replayed = t 600 s old,
   * always timestamped), to `to` or the endpoints of the order's account. `signatureForm` overrides the endpoint's.
   */
  payinSendWebhook(input: {
    orderId: string
    type: string
    variant: PayInWebhookVariant
    to?: string
    secret?: string
    signatureForm?: PayInSignatureForm
  }): Promise<{ deliveries: Delivery[] }> {
    return this.call("POST", "/payin/send-webhook", input)
  }
}
