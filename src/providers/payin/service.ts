import {
  AbstractPaymentProvider,
  MedusaError,
  PaymentActions,
  PaymentSessionStatus,
} from "@medusajs/framework/utils"
import { type GatewayRegistration, registrationFromCradle } from "../../modules/payment-gateways/registrations"
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
import { z } from "zod"
import { GatewayError } from "../../lib/errors"
import { GatewaySettingsRuntime, type GatewayRuntimeState, type GatewaySettingsSource } from "../../lib/gateway-runtime"
import { amountToDecimal, formatAmountForGateway } from "../../lib/money"
import { PayInClient } from "./client"
import { parsePayInOptions, type PayInOptions, type PayInProviderOptionsInput, type PayInToken } from "./options"
import { parsePayInWebhook, payInRawBodyBytes } from "./parse-webhook"
import { payInDecimalToUnits, payInOrderToPaymentState, type PayInPaymentState } from "./payment-status"
import { sessionIdOfOrder, type PayInOrder } from "./responses"
import { readPayInSignatureHeader, verifyPayInSignature } from "./verify-signature"

/**
 * PayIn (USDT/USDC) as a Medusa payment provider, `pp_payin_<id>`.
 *
 * Path of a payment: `initiatePayment` creates a PayIn order whose reference is the
 * Medusa payment session id → the shopper pays on PayIn's page → PayIn calls the
 * webhook (`getWebhookActionAndData`, signature checked, order re-fetched) and sends
 * the browser to the return route → Medusa authorizes the session (`authorizePayment`,
 * which asks PayIn again) and the cart becomes an order.
 *
 * Money arrives already settled, so `captured` is the paid state and `capturePayment`
 * has nothing to do. PayIn has neither a cancel nor a refund endpoint: both are
 * recorded locally, and money that still arrives is flagged, never dropped.
 */

type InjectedDependencies = { logger: Logger; configModule?: unknown }

/** What this provider keeps in the payment session `data`. The storefront reads it: no secrets. */
const sessionDataSchema = z.looseObject({
  session_id: z.string().optional(),
  payin_order_id: z.string().optional(),
  payment_url: z.string().optional(),
  address: z.string().optional(),
  amount: z.string().optional(),
  currency_code: z.string().optional(),
  token: z.string().optional(),
  chain_id: z.string().optional(),
  expires_at: z.string().optional(),
  canceled_at: z.string().optional(),
  replaced_order_ids: z.array(z.string()).optional(),
  manual_refunds: z
    .array(z.object({ refund_id: z.string().optional(), amount: z.string(), currency_code: z.string(), recorded_at: z.string() }))
    .optional(),
})
type PayInSessionData = z.output<typeof sessionDataSchema>

/** The options and client one call uses: medusa-config's, with what the merchant saved in the admin laid over them. */
export type PayInRuntime = GatewayRuntimeState<PayInOptions, PayInClient>

/** Test seams: where admin-saved settings come from (defaults to the plugin module of this process). */
export type PayInProviderTestHooks = { settingsSource?: () => GatewaySettingsSource | undefined }

export class PayInProviderService extends AbstractPaymentProvider<PayInProviderOptionsInput> {
  static override identifier = "payin"

  /**
   * Runs before the constructor. A missing `webhookSecret` fails boot on purpose:
   * without it no payment could ever be confirmed by webhook, and a shop would only
   * notice when paid orders pile up as pending. (The webhook check also refuses
   * everything when no secret is set, should options ever bypass this.)
   */
  static override validateOptions(options: Record<string, unknown>): void {
    parsePayInOptions(options)
  }

  protected readonly logger_: Logger
  private readonly registration_: GatewayRegistration | undefined
  private readonly runtime_: GatewaySettingsRuntime<PayInOptions, PayInClient>

  constructor(cradle: InjectedDependencies, options: PayInProviderOptionsInput, client?: PayInClient, hooks: PayInProviderTestHooks = {}) {
    super(cradle, options)
    this.registration_ = registrationFromCradle(cradle, "payin", options)
    this.logger_ = cradle.logger
    this.runtime_ = GatewaySettingsRuntime.forProvider({
      gateway: "payin",
      cradle,
      registration: this.registration_,
      options: options as Record<string, unknown>,
      parse: parsePayInOptions,
      buildClient: (o: PayInOptions) => new PayInClient({ apiKey: o.apiKey, baseUrl: o.baseUrl, timeoutMs: o.requestTimeoutMs, logger: this.logger_ }),
      client,
      source: hooks.settingsSource,
      logger: this.logger_,
    })
  }

  /**
   * Which registration of the store this provider is (`pp_payin_<id>`), found from the
   * options object Medusa handed it; undefined where medusa-config is not at hand
   * (unit tests) or two registrations of PayIn cannot be told apart.
   */
  registration(): GatewayRegistration | undefined {
    return this.registration_
  }

  /**
   * The options and client in effect now (admin-saved values over medusa-config), as
   * every call of this provider uses them. For code outside the provider that asks
   * PayIn itself (batch reconciliation, the inbox's "how much arrived" check, the
   * browser return) or needs an option: ask again for each piece of work, never keep
   * the answer.
   */
  async gatewayRuntime(): Promise<PayInRuntime> {
    return await this.runtime_.current()
  }

  async initiatePayment({ amount, currency_code, data }: InitiatePaymentInput): Promise<InitiatePaymentOutput> {
    const rt = await this.runtime_.forNewPayment()
    const sessionId = typeof data?.session_id === "string" ? data.session_id : undefined
    if (!sessionId) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        "PayIn needs the Medusa payment session id to create an order; create the session through the Payment Module."
      )
    }
    const order = await this.createOrderForSession(rt, sessionId, amount, currency_code, data ?? {})
    return { id: order.id, status: PaymentSessionStatus.PENDING, data: this.storefrontData(order, sessionId, currency_code) }
  }

  /**
   * A new amount (or token/chain) needs a new PayIn order: an order's amount is fixed.
   * The old order is left to expire; if money already reached it, the change is refused
   * so a paid order is never abandoned.
   */
  async updatePayment({ amount, currency_code, data }: UpdatePaymentInput): Promise<UpdatePaymentOutput> {
    const session = parseSessionData(data)
    const sessionId = session.session_id
    if (!sessionId || !session.payin_order_id) return this.initiatePayment({ amount, currency_code, data })

    const rt = await this.runtime_.current()
    const newAmount = formatAmountForGateway(amount, currency_code)
    const choice = resolveTokenAndChain(rt.options, data ?? {})
    if (
      newAmount === session.amount &&
      choice.token === session.token &&
      choice.chainId === session.chain_id &&
      currency_code.toLowerCase() === (session.currency_code ?? currency_code).toLowerCase()
    ) {
      return { data: data ?? {} }
    }

    const current = await rt.client.getOrder(session.payin_order_id)
    if (current.status !== "pending" || payInDecimalToUnits(current.confirmedReceived) > 0n) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `The PayIn order ${current.id} is ${current.status} with ${current.confirmedReceived} ${current.token ?? ""} received, so its amount cannot change; complete the cart as it is or start a new checkout.`
      )
    }
    const order = await this.createOrderForSession(rt, sessionId, amount, currency_code, data ?? {})
    return {
      status: PaymentSessionStatus.PENDING,
      data: {
        ...this.storefrontData(order, sessionId, currency_code),
        replaced_order_ids: [...(session.replaced_order_ids ?? []), session.payin_order_id],
      },
    }
  }

  async authorizePayment(input: AuthorizePaymentInput): Promise<AuthorizePaymentOutput> {
    return this.getPaymentStatus(input)
  }

  async getPaymentStatus({ data }: GetPaymentStatusInput): Promise<GetPaymentStatusOutput> {
    const session = parseSessionData(data)
    const rt = await this.runtime_.current()
    const order = await fetchSessionOrder(rt.client, session)
    const state = payInOrderToPaymentState(order, {
      placeOrderBeforeConfirmation: rt.options.placeOrderBeforeConfirmation,
      canceledLocally: !!session.canceled_at,
    })
    this.reportFlags(order, state, session.session_id)
    return { status: state.status, data: { ...(data ?? {}), ...state.facts } }
  }

  async retrievePayment({ data }: RetrievePaymentInput): Promise<RetrievePaymentOutput> {
    const { data: updated } = await this.getPaymentStatus({ data })
    return { data: updated }
  }

  /** Money arrives settled: there is nothing to capture at PayIn. */
  async capturePayment({ data }: CapturePaymentInput): Promise<CapturePaymentOutput> {
    return { data: data ?? {} }
  }

  /** PayIn cannot cancel an order; it expires by itself. Recorded here so late money is flagged. */
  async cancelPayment({ data }: CancelPaymentInput): Promise<CancelPaymentOutput> {
    const session = parseSessionData(data)
    return { data: { ...(data ?? {}), canceled_at: session.canceled_at ?? new Date().toISOString() } }
  }

  async deletePayment({ data }: DeletePaymentInput): Promise<DeletePaymentOutput> {
    return this.cancelPayment({ data })
  }

  /**
   * PayIn has no refund API. With `recordManualRefunds` the refund the merchant sent by
   * hand is recorded: the provider only receives the amount and the Medusa refund id,
   * so the transaction hash belongs in the refund's note in the admin, which Medusa
   * stores on the refund record the id below points to.
   */
  async refundPayment({ amount, data, context }: RefundPaymentInput): Promise<RefundPaymentOutput> {
    const session = parseSessionData(data)
    const currency = (session.currency_code ?? "usd").toLowerCase()
    const decimal = formatAmountForGateway(amount, currency)
    const { options } = await this.runtime_.current()
    if (!options.recordManualRefunds) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `PayIn cannot refund automatically: crypto refunds are sent by hand from the merchant wallet (${decimal} ${
          session.token ?? "stablecoin"
        } on ${session.chain_id ?? "the order's chain"}); send it, then enable the PayIn option \`recordManualRefunds\` to record it here with the transaction hash in the refund note.`
      )
    }
    const refund = {
      refund_id: context?.idempotency_key,
      amount: decimal,
      currency_code: currency,
      recorded_at: new Date().toISOString(),
    }
    const already = (session.manual_refunds ?? []).some((r) => r.refund_id && r.refund_id === refund.refund_id)
    this.logger_.info(
      `PayIn: recorded a manual refund of ${decimal} ${currency.toUpperCase()} for order ${session.payin_order_id ?? "?"} (Medusa refund ${refund.refund_id ?? "?"}).`
    )
    return {
      data: { ...(data ?? {}), manual_refunds: already ? session.manual_refunds : [...(session.manual_refunds ?? []), refund] },
    }
  }

  /** The PayIn API client of the effective options (see `gatewayRuntime`). */
  async gatewayClient(): Promise<PayInClient> {
    return (await this.runtime_.current()).client
  }

  /**
   * The webhook secret of the effective options. Only for the webhook route, which
   * checks each delivery's signature before storing it and masks the secret in the
   * delivery log; never log it or put it in a response.
   */
  async webhookSecret(): Promise<string> {
    return (await this.runtime_.current()).options.webhookSecret
  }

  /**
   * Webhooks reach this method through Medusa's `/hooks/payment/payin_<id>` route, which
   * answers 200 before anything is checked; rejection here means "do nothing". The
   * durable inbox route uses the same `verifyPayInSignature` to answer 401 itself.
   *
   * Dedupe: PayIn event ids are stable across retries, and what this returns is
   * idempotent (a second `captured` for an already completed cart creates no second
   * order), so a repeated delivery is harmless here; the inbox stores event ids.
   */
  async getWebhookActionAndData(payload: ProviderWebhookPayload["payload"]): Promise<WebhookActionResult> {
    const rawBody = payInRawBodyBytes(payload.rawData)
    if (!rawBody) {
      this.logger_.warn("PayIn webhook rejected: no raw body bytes to verify the signature against.")
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const headers = payload.headers as Record<string, string | string[] | undefined>
    const rt = await this.runtime_.current()
    const verification = verifyPayInSignature(rawBody, readPayInSignatureHeader(headers), rt.options.webhookSecret)
    if (verification.verdict !== "ok") {
      this.logger_.warn(`PayIn webhook rejected: ${verification.verdict}; nothing was changed.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    return this.actionForVerifiedEvent(rt, rawBody, headers)
  }

  /**
   * An event from the plugin's inbox, processed after it was stored. Its signature is
   * not checked again: the webhook route verified it before storing (anything forged,
   * unsigned or replayed was answered 401 and never stored), and a timestamped signature
   * is only valid for 5 minutes while a retry or a dead-letter replay may come hours later.
   * Reconciliation stores unsigned events of its own, built from what PayIn's API
   * listed. Either way the event is only a pointer: the order's state is fetched from
   * PayIn here, exactly as for a live webhook.
   */
  async actionForStoredEvent(input: { rawBody: Buffer; headers?: Record<string, unknown> }): Promise<WebhookActionResult> {
    return this.actionForVerifiedEvent(await this.runtime_.current(), input.rawBody, input.headers)
  }

  private async actionForVerifiedEvent(rt: PayInRuntime, rawBody: Buffer, headers: Record<string, unknown> | undefined): Promise<WebhookActionResult> {
    const ignored = { action: PaymentActions.NOT_SUPPORTED }
    const parsed = parsePayInWebhook(rawBody, headers)
    if (!parsed.ok) {
      this.logger_.warn(`PayIn webhook rejected: signed, but the body is not a PayIn event (${parsed.reason}).`)
      return ignored
    }
    const event = parsed.event

    switch (event.type) {
      case "order.completed":
      case "order.expired":
      case "order.failed": {
        if (!event.orderId) {
          this.logger_.warn(`PayIn webhook ${event.id ?? ""} (${event.type}) names no order; ignored.`)
          return ignored
        }
        // The event only says "look again": the order's state comes from PayIn itself.
        const order = await rt.client.getOrder(event.orderId)
        return this.webhookActionForOrder(rt.options, event.type, event.id, order)
      }
      default:
        return ignored
    }
  }

  private webhookActionForOrder(options: PayInOptions, type: string, eventId: string | undefined, order: PayInOrder): WebhookActionResult {
    const sessionId = sessionIdOfOrder(order)
    if (!sessionId) {
      this.logger_.warn(`PayIn webhook ${eventId ?? ""}: order ${order.id} was not created by Medusa (reference ${order.orderReference}); ignored.`)
      return { action: PaymentActions.NOT_SUPPORTED }
    }
    const state = payInOrderToPaymentState(order, { placeOrderBeforeConfirmation: options.placeOrderBeforeConfirmation })
    this.reportFlags(order, state, sessionId)
    const data = { session_id: sessionId, amount: order.amount }

    switch (type) {
      case "order.completed":
        if (state.paid) return { action: PaymentActions.SUCCESSFUL, data }
        this.logger_.warn(
          `PayIn webhook ${eventId ?? ""} says order ${order.id} completed, but PayIn reports it ${order.status} with ${order.confirmedReceived} of ${order.amount} received; not treated as paid.`
        )
        return { action: PaymentActions.NOT_SUPPORTED }
      case "order.expired":
      case "order.failed":
        if (state.paid) {
          // Terminal states do not go back: a completed order stays paid whatever arrives late.
          this.logger_.info(`PayIn webhook ${eventId ?? ""} (${type}) ignored: order ${order.id} is already completed.`)
          return { action: PaymentActions.NOT_SUPPORTED }
        }
        if (order.status === "pending") return { action: PaymentActions.NOT_SUPPORTED }
        return { action: state.status === PaymentSessionStatus.CANCELED ? PaymentActions.CANCELED : PaymentActions.FAILED, data }
      default:
        return { action: PaymentActions.NOT_SUPPORTED }
    }
  }

  private async createOrderForSession(
    { options, client }: PayInRuntime,
    sessionId: string,
    amount: InitiatePaymentInput["amount"],
    currencyCode: string,
    data: Record<string, unknown>
  ): Promise<PayInOrder> {
    const currency = currencyCode.toLowerCase()
    if (!options.acceptedCurrencies.includes(currency)) {
      throw new MedusaError(
        MedusaError.Types.INVALID_DATA,
        `PayIn cannot take payments in ${currency.toUpperCase()}: stablecoins are priced 1:1 only for ${options.acceptedCurrencies
          .map((c) => c.toUpperCase())
          .join(", ")} (option \`acceptedCurrencies\`); use a region in one of those currencies.`
      )
    }
    const { token, chainId } = resolveTokenAndChain(options, data)
    const returnUrl = `${options.backendUrl}/hooks/payin/return/${encodeURIComponent(sessionId)}`
    const cartId = typeof data.cart_id === "string" && /^cart_\w+$/.test(data.cart_id) ? data.cart_id : undefined
    try {
      return await client.createOrder({
        orderReference: sessionId,
        amount: formatAmountForGateway(amount, currency),
        currency: token,
        chainId,
        successUrl: returnUrl,
        cancelUrl: returnUrl,
        paymentWindowMinutes: options.paymentWindowMinutes,
        graceMinutes: options.graceMinutes,
        // cart_id comes from the storefront: informational only, never used to decide anything.
        metadata: { session_id: sessionId, ...(cartId ? { cart_id: cartId } : {}) },
      })
    } catch (error) {
      if (error instanceof GatewayError && (error.gatewayCode === "ADDRESS_POOL_EXHAUSTED" || error.gatewayCode === "InsufficientAddresses")) {
        this.logger_.error(
          `ALERT PayIn address pool exhausted: checkout for session ${sessionId} (${amountToDecimal(amount)} ${currency.toUpperCase()}, ${token} on ${chainId}) could not get a payment address; add addresses to the PayIn pool or offer another chain.`
        )
      }
      throw error
    }
  }

  private storefrontData(order: PayInOrder, sessionId: string, currencyCode: string): PayInSessionData {
    return {
      session_id: sessionId,
      payin_order_id: order.id,
      payment_url: order.paymentUrl,
      address: order.address,
      amount: order.amount,
      currency_code: currencyCode.toLowerCase(),
      token: order.token,
      chain_id: order.chainId,
      expires_at: order.expiresAt,
    }
  }

  private reportFlags(order: PayInOrder, state: PayInPaymentState, sessionId: string | undefined) {
    const where = `PayIn order ${order.id} (session ${sessionId ?? order.orderReference})`
    for (const flag of state.facts.flags) {
      switch (flag) {
        case "partial_payment":
          this.logger_.warn(
            `${where} expired with ${order.confirmedReceived} of ${order.amount} ${order.token ?? ""} received: refund or top-up needed, no order was placed.`
          )
          break
        case "payment_after_cancel":
          this.logger_.error(
            `${where} received ${order.confirmedReceived} ${order.token ?? ""} after the Medusa payment was cancelled: refund it by hand or re-open the order.`
          )
          break
        case "overpaid":
          this.logger_.warn(`${where} was overpaid by ${state.facts.overpaid_amount} ${order.token ?? ""}.`)
          break
        case "completed_short":
          this.logger_.error(`${where} is completed with only ${order.confirmedReceived} of ${order.amount} received: check it in PayIn.`)
          break
        case "unknown_status":
          this.logger_.warn(`${where} has status "${order.status}", unknown to this plugin: treated as not paid.`)
          break
      }
    }
  }
}

/** The customer's token/chain from session data if offered, else the defaults. */
function resolveTokenAndChain(options: PayInOptions, data: Record<string, unknown>): { token: PayInToken; chainId: string } {
  const wantToken = typeof data.token === "string" ? data.token.toUpperCase() : undefined
  const wantChain = typeof data.chain_id === "string" ? data.chain_id : undefined
  if (!wantToken && !wantChain) return { token: options.defaultToken, chainId: options.defaultChainId }
  const pair = options.offeredPairs.find(
    (p) => (!wantToken || p.token === wantToken) && (!wantChain || p.chainId === wantChain)
  )
  if (!pair) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `This shop does not take ${wantToken ?? "stablecoins"}${wantChain ? ` on ${wantChain}` : ""} through PayIn; choose one of ${options.offeredPairs
        .map((p) => `${p.token} on ${p.chainId}`)
        .join(", ")}.`
    )
  }
  return pair
}

async function fetchSessionOrder(client: PayInClient, session: PayInSessionData): Promise<PayInOrder> {
  if (!session.payin_order_id) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      "This payment session has no PayIn order yet; start the PayIn payment again from checkout."
    )
  }
  const order = await client.getOrder(session.payin_order_id)
  // Session data passed through the storefront; make sure the order really belongs to this session.
  if (session.session_id && sessionIdOfOrder(order) !== session.session_id) {
    throw new MedusaError(
      MedusaError.Types.NOT_ALLOWED,
      `PayIn order ${order.id} belongs to another checkout (reference ${order.orderReference}); start the PayIn payment again.`
    )
  }
  return order
}

function parseSessionData(data: Record<string, unknown> | undefined): PayInSessionData {
  const parsed = sessionDataSchema.safeParse(data ?? {})
  if (!parsed.success) {
    throw new MedusaError(
      MedusaError.Types.INVALID_DATA,
      `The PayIn payment session data is not in the shape this plugin wrote (${parsed.error.issues[0]?.message}); start the PayIn payment again.`
    )
  }
  return parsed.data
}

export default PayInProviderService
