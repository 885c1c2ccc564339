import type {
  AuthorizePaymentInput,
  AuthorizePaymentOutput,
  CancelPaymentInput,
  CancelPaymentOutput,
  CapturePaymentInput,
  CapturePaymentOutput,
  DeletePaymentInput,
  DeletePaymentOutput,
  GetPaymentStatusInput,
  GetPaymentStatusOutput,
  InitiatePaymentInput,
  InitiatePaymentOutput,
  Logger,
  ProviderWebhookPayload,
  RefundPaymentInput,
  RefundPaymentOutput,
  RetrievePaymentInput,
  RetrievePaymentOutput,
  UpdatePaymentInput,
  UpdatePaymentOutput,
  WebhookActionResult,
} from "@medusajs/framework/types"
import { type GatewayRegistration, registrationFromCradle } from "../../modules/payment-gateways/registrations"
import {
  AbstractPaymentProvider,
  BigNumber,
  MedusaError,
  PaymentActions,
  PaymentSessionStatus,
} from "@medusajs/framework/utils"
import { paymentGatewaysModule } from "../../modules/payment-gateways/runtime"
import { GatewaySettingsRuntime, type GatewayRuntimeState, type GatewaySettingsSource } from "../../lib/gateway-runtime"
import { currentGatewayCall, runGatewayCall } from "../../lib/gateway-call-context"
import { formatAmountForGateway, gatewayAmountToMinorUnits, toMinorUnits } from "../../lib/money"
import type { StorefrontRedirectConfig } from "../../lib/storefront-redirect"
import { SecPaidApiError, SecPaidClient, type SecPaidClientConfig } from "./client"
import type { SecPaidPayInTransaction } from "./responses"
import {
  defaultSecPaidPaymentEndpoint,
  parseSecPaidOptions,
  SECPAID_IDENTIFIER,
  secPaidBaseUrl,
  secPaidReturnUrl,
  type SecPaidOptions,
} from "./options"
import { isSecPaidErrorNotification, parseSecPaidWebhook } from "./parse-webhook"
import {
  buildRecipientNote,
  findLinkRow,
  isPaymentRow,
  secPaidPaymentStatus,
  sessionIdFromNote,
  type SecPaidLinkState,
  type SecPaidPaymentVerdict,
} from "./payment-status"
import { secPaidRequestBudget } from "./request-budget"
import { readSecPaidSessionData, type SecPaidSessionData } from "./session-data"
import { LinkEvidenceCache } from "./verification-cache"
import { SourceThrottle } from "../../lib/source-throttle"

type InjectedDependencies = { logger: Logger; configModule?: unknown }

/** Test seam: tests hand in a client built on a fake HTTP layer. */
export type SecPaidProviderTestHooks = {
  client?: SecPaidClient
  now?: () => Date
  clientConfig?: Partial<SecPaidClientConfig>
  evidenceCache?: LinkEvidenceCache
  /** Where admin-saved settings come from; defaults to the plugin module of this process. */
  settingsSource?: () => GatewaySettingsSource | undefined
}

/** The options and client one call uses: medusa-config's, with what the merchant saved in the admin laid over them. */
export type SecPaidRuntime = GatewayRuntimeState<SecPaidOptions, SecPaidClient>

/** One per process: every provider instance of the same SecPaid account shares what SecPaid said recently. */
const processEvidenceCache = new LinkEvidenceCache()

/**
 * SecPaid checks one source address (an anonymous browser return or cart completion)
 * may cause per minute and process, beyond those answered from the verdict cache. A
 * shopper completes one cart and returns once or twice; an address walking through
 * many sessions gets "pending" without a SecPaid call.
 */
export const SECPAID_CHECKS_PER_SOURCE_PER_MINUTE = 10
const checksPerSource = new SourceThrottle({ limit: SECPAID_CHECKS_PER_SOURCE_PER_MINUTE, windowMs: 60_000 })

const EUR = "eur"
const EUR_DIGITS = 2
/** createLink attempts when SecPaid's answer is lost (timeout, network, 5xx); each is preceded by a lookup. */
const CREATE_LINK_ATTEMPTS = 3
const CART_ID_RE = /^[A-Za-z0-9_-]{1,64}$/

/**
 * SecPaid payment links as a Medusa payment provider (`pp_secpaid_<id>`).
 *
 * Path of a payment: initiatePayment creates a link (recipient_note = the
 * session id) → the customer pays on SecPaid's page → SecPaid posts a webhook
 * (unauthenticated) and redirects the browser to /hooks/secpaid/return/<session>
 * → both are treated as hints only: money counts as received when
 * getPayInTransactions shows a Success Basic/Split row for exactly the amount.
 */
export class SecPaidProviderService extends AbstractPaymentProvider<SecPaidOptions> {
  static override identifier = SECPAID_IDENTIFIER

  protected readonly logger_: Logger
  private readonly registration_: GatewayRegistration | undefined
  private readonly runtime_: GatewaySettingsRuntime<SecPaidOptions, SecPaidClient>
  private readonly now_: () => Date
  private readonly evidence_: LinkEvidenceCache

  static override validateOptions(options: Record<string, unknown>): void {
    parseSecPaidOptions(options)
  }

  constructor(cradle: InjectedDependencies, options: Record<string, unknown>, hooks: SecPaidProviderTestHooks = {}) {
    super(cradle, options as unknown as SecPaidOptions)
    this.registration_ = registrationFromCradle(cradle, "secpaid", options)
    this.logger_ = cradle.logger
    this.now_ = hooks.now ?? (() => new Date())
    this.evidence_ = hooks.evidenceCache ?? processEvidenceCache
    this.runtime_ = GatewaySettingsRuntime.forProvider({
      gateway: "secpaid",
      cradle,
      registration: this.registration_,
      options,
      parse: parseSecPaidOptions,
      buildClient: (o: SecPaidOptions) =>
        new SecPaidClient({
          apiKey: o.apiKey,
          baseUrl: secPaidBaseUrl(o),
          timeoutMs: o.requestTimeoutMs,
          environment: o.environment,
          logger: this.logger_,
          extraSecrets: [o.encryptionKey ?? "", ...(o.splitRecipients ?? []).map((r) => r.token)],
          budget: secPaidRequestBudget(o.requestBudget),
          ...hooks.clientConfig,
        }),
      client: hooks.client,
      source: hooks.settingsSource,
      logger: this.logger_,
    })
  }

  /**
   * Which registration of the store this provider is (`pp_secpaid_<id>`), found from the
   * options object Medusa handed it; undefined where medusa-config is not at hand
   * (unit tests) or two registrations of SecPaid cannot be told apart.
   */
  registration(): GatewayRegistration | undefined {
    return this.registration_
  }

  /**
   * The options and client in effect now (admin-saved values over medusa-config), as
   * every call of this provider uses them. For code outside the provider that asks
   * SecPaid itself (batch reconciliation) or needs an option (the webhook route's
   * encryption key, the browser return's redirect): ask again for each piece of work,
   * never keep the answer.
   */
  async gatewayRuntime(): Promise<SecPaidRuntime> {
    return await this.runtime_.current()
  }

  /** The SecPaid API client of the effective options (see `gatewayRuntime`). */
  async gatewayClient(): Promise<SecPaidClient> {
    return (await this.runtime_.current()).client
  }

  /**
   * The key SecPaid encrypts webhook bodies with, when the shop set one. Only for the
   * webhook route (decrypting and masking it in the delivery log) and for
   * reconciliation's synthetic events, which are encrypted like SecPaid's own; never
   * log it or put it in a response.
   */
  async webhookEncryptionKey(): Promise<string | undefined> {
    return (await this.runtime_.current()).options.encryptionKey
  }

  /** Used by the browser-return route to build its redirect. */
  async storefrontRedirectConfig(): Promise<StorefrontRedirectConfig> {
    const { options } = await this.runtime_.current()
    return {
      storefrontReturnUrl: options.storefrontReturnUrl,
      allowedStorefrontOrigins: options.allowedStorefrontOrigins,
    }
  }

  async initiatePayment(input: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const rt = await this.runtime_.forNewPayment()
    const currency = assertEur(input.currency_code)
    const sessionId = stringValue(input.data?.session_id) ?? input.context?.idempotency_key
    if (!sessionId) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "SecPaid needs the Medusa payment session id to create a link; create the session through the payment module.")
    }
    const cartIdInput = stringValue(input.data?.cart_id)
    const cartId = cartIdInput && CART_ID_RE.test(cartIdInput) ? cartIdInput : undefined
    const amount = this.linkAmount(input.amount, currency)
    const note = buildRecipientNote(sessionId, cartId)
    const link = await this.findOrCreateLink(rt, { sessionId, amount, note })
    await this.rememberIssuedLink(rt, link.payId, sessionId)
    return {
      id: link.payId,
      status: PaymentSessionStatus.PENDING,
      data: this.freshSessionData(rt, { sessionId, cartId, amount, note, payId: link.payId, payLink: link.payLink }),
    }
  }

  async updatePayment(input: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const data = readSecPaidSessionData(input.data)
    const currency = assertEur(input.currency_code)
    const amount = this.linkAmount(input.amount, currency)
    if (data.pay_id && data.amount && sameAmount(data.amount, amount)) {
      return { data: input.data ?? {} }
    }
    const sessionId = data.session_id ?? input.context?.idempotency_key
    if (!sessionId) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "SecPaid cannot update a session without its session id; create a new payment session instead.")
    }
    const rt = await this.runtime_.current()
    if (data.pay_id) await this.deleteUnusedLink(rt, data.pay_id)
    const note = data.recipient_note ?? buildRecipientNote(sessionId, data.cart_id)
    const link = await this.findOrCreateLink(rt, { sessionId, amount, note })
    await this.rememberIssuedLink(rt, link.payId, sessionId)
    this.logger_.info(`SecPaid: session ${sessionId} amount changed to ${amount} EUR; link ${data.pay_id ?? "-"} replaced by ${link.payId}.`)
    return {
      status: PaymentSessionStatus.PENDING,
      data: this.freshSessionData(rt, { sessionId, cartId: data.cart_id, amount, note, payId: link.payId, payLink: link.payLink }),
    }
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return await this.verifyPayment(input.data)
  }

  async getPaymentStatus(input: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    return await this.verifyPayment(input.data)
  }

  async retrievePayment(input: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const { data } = await this.verifyPayment(input.data)
    return { data }
  }

  /** SecPaid captures when the customer pays: nothing to do, however often it is called. */
  async capturePayment(input: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: input.data ?? {} }
  }

  async cancelPayment(input: CancelPaymentInput): Promise<CancelPaymentOutput> {
    return await this.cancelLink(input.data)
  }

  async deletePayment(input: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return await this.cancelLink(input.data)
  }

  async refundPayment(input: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const data = readSecPaidSessionData(input.data)
    if (!data.pay_id) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, "This payment has no SecPaid pay_id, so there is nothing to refund at SecPaid; refund the customer outside SecPaid.")
    }
    if (data.refund) {
      // SecPaid accepts exactly one refund request per link; a second call would only be refused.
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `SecPaid accepts only one refund request per payment and one for ${data.refund.amount} EUR was already requested on ${data.refund.requested_at} (link ${data.pay_id}); contact SecPaid support to change it.`
      )
    }
    const refundAmount = formatAmountForGateway(input.amount, EUR)
    const paidAmount = data.paid_amount ?? data.amount
    const refundMinor = toMinorUnits(refundAmount, EUR)
    const paidMinor = paidAmount ? gatewayAmountToMinorUnits(paidAmount, EUR_DIGITS) : undefined
    if (refundMinor <= 0n || (paidMinor !== undefined && refundMinor > paidMinor)) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `SecPaid cannot refund ${refundAmount} EUR on a payment of ${paidAmount ?? "unknown"} EUR; enter an amount between 0.01 and the paid amount.`)
    }
    const full = paidMinor !== undefined && refundMinor === paidMinor
    const rt = await this.runtime_.current()
    try {
      await rt.client.refundPayment({ payId: data.pay_id, refundAmount, isFullRefund: full })
    } catch (error) {
      if (error instanceof SecPaidApiError && error.saysMatches(/already requested/i)) {
        throw new MedusaError(MedusaError.Types.NOT_ALLOWED, `${error.message} SecPaid accepts one refund request per payment; check the SecPaid dashboard for the earlier request.`)
      }
      throw error
    }
    this.logger_.info(`SecPaid: refund of ${refundAmount} EUR requested for link ${data.pay_id}; awaiting SecPaid approval.`)
    return {
      data: {
        ...data,
        refund: {
          status: "requested",
          amount: refundAmount,
          full,
          requested_at: this.now_().toISOString(),
          note: "awaiting SecPaid approval",
        },
      },
    }
  }

  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const rt = await this.runtime_.current()
    const parsed = parseSecPaidWebhook({ rawData: payload.rawData, data: payload.data, encryptionKey: rt.options.encryptionKey })
    if (!parsed.ok) {
      this.logger_.warn(`SecPaid webhook ignored: ${parsed.reason}.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const claim = parsed.claim
    // Medusa's own route (/hooks/payment/secpaid_<id>) accepts anything from anyone: a claim
    // is only worth a SecPaid call when it names a link this store issued.
    if (isSecPaidErrorNotification(claim)) return { action: PaymentActions.NOT_SUPPORTED }
    const registry = paymentGatewaysModule()
    if (registry && !(await registry.findIssuedReference("secpaid", claim.payId))) {
      this.logger_.debug?.(`SecPaid webhook for link ${claim.payId} ignored: not a link this store issued.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    switch (claim.status) {
      case "success":
        return await this.verifySuccessClaim(rt, claim.payId)
      case "cancel":
        return await this.verifyCancelClaim(rt, claim.payId, claim.note)
      default:
        this.logger_.warn(`SecPaid webhook for link ${claim.payId} has an unknown status "${claim.rawStatus ?? ""}"; ignored.`)
        return { action: PaymentActions.NOT_SUPPORTED }
    }
  }

  /** A success claim counts only when SecPaid's transaction list shows the money (asked now, never from the cache). */
  private async verifySuccessClaim(rt: SecPaidRuntime, payId: string): Promise<WebhookActionResult> {
    const rows = await rt.client.getPayInTransactions({ payId })
    const paid = rows.find(isSuccessfulPayment)
    if (!paid) {
      this.logger_.warn(
        `SecPaid webhook claims link ${payId} was paid, but getPayInTransactions shows no successful payment for it: ignored as forged or unverified.`
      )
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const sessionId = sessionIdFromNote(paid.recipientNote) ?? (await this.sessionIdFromLinkLists(rt, payId, "used"))
    if (!sessionId) {
      this.logger_.warn(`SecPaid link ${payId} is paid but its recipient_note names no Medusa session; not created by this store, ignored.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    // The amount is checked against the session in authorizePayment (the provider cannot read sessions);
    // that check, which follows at once in the same processing, reuses this answer instead of asking SecPaid again.
    currentGatewayCall().confirmed?.set(this.evidenceKey(rt, payId, sessionId), rows)
    this.logger_.info(`SecPaid webhook for link ${payId} verified with getPayInTransactions: ${paid.amount} EUR paid for session ${sessionId}.`)
    return { action: PaymentActions.SUCCESSFUL, data: { session_id: sessionId, amount: new BigNumber(paid.amount) } }
  }

  private async verifyCancelClaim(rt: SecPaidRuntime, payId: string, note: string | undefined): Promise<WebhookActionResult> {
    const rows = await rt.client.getPayInTransactions({ payId })
    if (rows.some(isPaymentRow)) {
      this.logger_.warn(`SecPaid webhook says link ${payId} was cancelled, but SecPaid shows a payment for it; the cancel is ignored.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const unused = await rt.client.getMyUnusedLinks({ search: sessionIdFromNote(note), limit: 50 })
    const link = findLinkRow(unused, payId)
    const sessionId = sessionIdFromNote(link?.recipientNote) ?? sessionIdFromNote(note)
    if (!link?.isCancelled || !sessionId) {
      this.logger_.warn(`SecPaid webhook says link ${payId} was cancelled, but SecPaid does not list it as cancelled (it may have been deleted since); ignored.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    return { action: PaymentActions.CANCELED, data: { session_id: sessionId, amount: new BigNumber(link.amount ?? "0") } }
  }

  private async sessionIdFromLinkLists(rt: SecPaidRuntime, payId: string, list: "used" | "unused"): Promise<string | undefined> {
    const rows = list === "used" ? await rt.client.getMyUsedLinks({ limit: 100 }) : await rt.client.getMyUnusedLinks({ limit: 100 })
    return sessionIdFromNote(findLinkRow(rows, payId)?.recipientNote)
  }

  /**
   * The status of a session's link, from SecPaid's own lists. Returns the data to
   * store: last verdict, verified amount, and refund approval once a Refund row appears.
   */
  async verifyPayment(rawData: Record<string, unknown> | undefined): Promise<{ status: PaymentSessionStatus; data: Record<string, unknown> }> {
    const data = readSecPaidSessionData(rawData)
    if (!data.pay_id || !data.amount) {
      return { status: PaymentSessionStatus.ERROR, data: { ...data, error_reason: "The session has no SecPaid link; create a new payment session." } }
    }
    const payId = data.pay_id
    const rt = await this.runtime_.current()
    const call = currentGatewayCall()
    const key = this.evidenceKey(rt, payId, data.session_id)
    // Checks anyone can cause (browser returns, cart completion) may be answered from a
    // recent verdict and are bounded per source address; everyone else asks SecPaid now.
    const reuse = call.priority === "anonymous" && !call.freshVerification
    if (reuse && call.source && !this.evidence_.usable(key) && !checksPerSource.take(call.source).allowed) {
      // One address asking about many sessions: no SecPaid call; the webhook and reconciliation still place the order.
      return { status: PaymentSessionStatus.PENDING, data: { ...data } }
    }
    const confirmedRows = call.confirmed?.get(key) as SecPaidPayInTransaction[] | undefined
    const evidence = await this.evidence_.get(key, reuse, async () => {
      if (confirmedRows) return { rows: confirmedRows, link: {}, paid: true }
      const rows = await rt.client.getPayInTransactions({ payId })
      if (rows.some(isPaymentRow)) return { rows, link: {}, paid: rows.some(isSuccessfulPayment) }
      return { rows, link: data.canceled_at ? { deleted: true } : await this.linkState(rt, data), paid: false }
    })
    const link: SecPaidLinkState = evidence.link ?? (evidence.rows.some(isPaymentRow) ? {} : await this.linkState(rt, data))
    const verdict = secPaidPaymentStatus(evidence.rows, data.amount, link)
    if (verdict.status === PaymentSessionStatus.ERROR) {
      this.logger_.error(`SecPaid link ${data.pay_id} (session ${data.session_id ?? "?"}): ${verdict.reason}.`)
    }
    return { status: verdict.status, data: this.withVerdict(data, verdict) }
  }

  /** Per SecPaid environment, link and session (a link id never belongs to two sessions; the session makes that explicit). */
  private evidenceKey(rt: SecPaidRuntime, payId: string, sessionId: string | undefined): string {
    return `${secPaidBaseUrl(rt.options)}|${payId}|${sessionId ?? ""}`
  }

  private async linkState(rt: SecPaidRuntime, data: SecPaidSessionData): Promise<SecPaidLinkState> {
    const payId = data.pay_id as string
    const search = data.session_id
    const unused = findLinkRow(await rt.client.getMyUnusedLinks({ search, limit: 20 }), payId)
    if (unused) return { cancelled: unused.isCancelled }
    const used = findLinkRow(await rt.client.getMyUsedLinks({ search, limit: 20 }), payId)
    // Neither list: deleted (SecPaid lists only Unused/Cancelled and Used/Refunded links).
    return used ? {} : { deleted: true }
  }

  private withVerdict(data: SecPaidSessionData, verdict: SecPaidPaymentVerdict): Record<string, unknown> {
    const refund =
      data.refund && verdict.refundedAmount
        ? { ...data.refund, status: "approved" as const, approved_amount: verdict.refundedAmount, note: "approved by SecPaid" }
        : data.refund
    return {
      ...data,
      secpaid_status: verdict.status,
      verified_at: this.now_().toISOString(),
      ...(verdict.paidAmount ? { paid_amount: verdict.paidAmount } : {}),
      ...(verdict.transactionId ? { transaction_id: verdict.transactionId } : {}),
      error_reason: verdict.reason,
      refund,
    }
  }

  private async cancelLink(rawData: Record<string, unknown> | undefined): Promise<{ data: Record<string, unknown> }> {
    const data = readSecPaidSessionData(rawData)
    if (!data.pay_id) return { data: rawData ?? {} }
    await this.deleteUnusedLink(await this.runtime_.current(), data.pay_id)
    return { data: { ...data, canceled_at: data.canceled_at ?? this.now_().toISOString() } }
  }

  /** deleteLink; "already gone" is success, "already paid" is an error telling to refund. */
  private async deleteUnusedLink(rt: SecPaidRuntime, payId: string): Promise<void> {
    try {
      await rt.client.deleteLink(payId)
    } catch (error) {
      if (error instanceof SecPaidApiError && error.saysMatches(/not found|is cancelled|deleted/i)) return
      if (error instanceof SecPaidApiError && error.saysMatches(/already used|already paid/i)) {
        throw new MedusaError(
          MedusaError.Types.NOT_ALLOWED,
          `SecPaid link ${payId} is already paid, so it cannot be cancelled; refund the payment instead.`
        )
      }
      throw error
    }
  }

  /**
   * Records that this store issued `payId` for the session, before the link is handed
   * to the shopper: the webhook route refuses, without asking SecPaid, claims for links
   * that are not recorded. If it cannot be recorded the link is deleted again and the
   * payment session is not created — a link whose webhook would be ignored is worse
   * than a checkout the shopper can retry.
   */
  private async rememberIssuedLink(rt: SecPaidRuntime, payId: string, sessionId: string): Promise<void> {
    const registry = paymentGatewaysModule()
    if (!registry) return
    try {
      await registry.recordIssuedReference({ gateway: "secpaid", reference: payId, sessionId, providerId: this.registration_?.providerId })
    } catch (error) {
      await this.deleteUnusedLink(rt, payId).catch(() => undefined)
      throw new MedusaError(
        MedusaError.Types.UNEXPECTED_STATE,
        `The SecPaid link for session ${sessionId} could not be recorded in the store's database (${(error as Error).message}); try the payment again.`
      )
    }
  }

  /**
   * createLink without duplicates. SecPaid has no idempotency key, so when an
   * answer is lost (timeout, network, 5xx) the link is looked up by its note
   * before another is created.
   */
  private async findOrCreateLink(rt: SecPaidRuntime, input: { sessionId: string; amount: string; note: string }): Promise<{ payId: string; payLink: string }> {
    for (let attempt = 1; ; attempt++) {
      try {
        const created = await this.createLinkRequest(rt, input)
        return { payId: created.payId, payLink: created.payLink }
      } catch (error) {
        const lost = error instanceof SecPaidApiError && (error.outcomeUnknown || error.failure === "network")
        if (!lost) throw error
        const apiError = error as SecPaidApiError
        if (apiError.outcomeUnknown) {
          // Part of creating the link: spends the budget as checkout, like createLink itself.
          const existing = await runGatewayCall({ ...currentGatewayCall(), priority: "checkout" }, () => this.findUnusedLink(rt, input.sessionId, input.amount))
          if (existing) {
            this.logger_.warn(`SecPaid createLink for session ${input.sessionId} failed (${apiError.failure}) but link ${existing.payId} exists; reusing it.`)
            return existing
          }
        }
        if (attempt >= CREATE_LINK_ATTEMPTS) throw error
        this.logger_.warn(`SecPaid createLink for session ${input.sessionId} failed (${apiError.failure}) and no link was found; trying again (attempt ${attempt + 1}).`)
      }
    }
  }

  private async createLinkRequest({ options, client }: SecPaidRuntime, input: { sessionId: string; amount: string; note: string }) {
    const common = {
      amount: input.amount,
      recipientNote: input.note,
      callbackUrl: callbackUrl(options, input.sessionId),
      paymentEndpoint: options.paymentEndpoint?.join(",") ?? defaultSecPaidPaymentEndpoint(options.backendUrl as string, this.registration_?.registrationId),
      cancellable: options.cancellable,
    }
    if (options.splitRecipients) {
      return await client.createSplitLink({ ...common, recipients: options.splitRecipients, splitType: options.splitType })
    }
    return await client.createLink({ ...common, bankTransfer: options.bankTransfer, encryptionKey: options.encryptionKey })
  }

  private async findUnusedLink(rt: SecPaidRuntime, sessionId: string, amount: string): Promise<{ payId: string; payLink: string } | undefined> {
    const rows = await rt.client.getMyUnusedLinks({ search: sessionId, limit: 10 })
    const row = rows.find(
      (r) => sessionIdFromNote(r.recipientNote) === sessionId && !r.isCancelled && !!r.payLink && !!r.amount && sameAmount(r.amount, amount)
    )
    return row ? { payId: row.payId, payLink: row.payLink as string } : undefined
  }

  private linkAmount(amount: InitiatePaymentInput["amount"], currency: string): string {
    const text = formatAmountForGateway(amount, currency)
    if (toMinorUnits(text, currency) <= 0n) {
      throw new MedusaError(MedusaError.Types.INVALID_DATA, `SecPaid cannot create a payment link for ${text} EUR; the amount must be greater than 0.`)
    }
    return text
  }

  private freshSessionData(rt: SecPaidRuntime, s: { sessionId: string; cartId?: string; amount: string; note: string; payId: string; payLink: string }): Record<string, unknown> {
    // Keys Medusa would otherwise keep from the storefront's input are set explicitly (undefined drops them).
    return {
      session_id: s.sessionId,
      cart_id: s.cartId,
      pay_id: s.payId,
      pay_link: s.payLink,
      amount: s.amount,
      currency: EUR,
      recipient_note: s.note,
      split: !!rt.options.splitRecipients,
      secpaid_status: PaymentSessionStatus.PENDING,
      paid_amount: undefined,
      transaction_id: undefined,
      verified_at: undefined,
      error_reason: undefined,
      canceled_at: undefined,
      refund: undefined,
    }
  }
}

function callbackUrl(options: SecPaidOptions, sessionId: string): string {
  if (options.callbackUrl) return options.callbackUrl.join(",").split("{session_id}").join(encodeURIComponent(sessionId))
  return secPaidReturnUrl(options.backendUrl as string, sessionId)
}

function isSuccessfulPayment(row: SecPaidPayInTransaction): boolean {
  return isPaymentRow(row) && row.status.trim().toLowerCase() === "success"
}

function assertEur(currencyCode: string | undefined): string {
  const code = (currencyCode ?? "").toLowerCase()
  if (code !== EUR) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `SecPaid only accepts EUR, but this payment is in ${code ? code.toUpperCase() : "no currency"}; use a EUR region for SecPaid or another payment provider.`
    )
  }
  return code
}

function sameAmount(a: string, b: string): boolean {
  try {
    return gatewayAmountToMinorUnits(a, EUR_DIGITS) === gatewayAmountToMinorUnits(b, EUR_DIGITS)
  } catch {
    return false
  }
}

function stringValue(value: unknown): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined
}

export default SecPaidProviderService
