import { PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { GatewayError } from "../../../lib/errors"
import type { CreatePayInOrderInput, PayInClient } from "../client"
import type { PayInOrder } from "../responses"
import { PayInProviderService } from "../service"
import { computePayInPlainSignature, computePayInSignature } from "../verify-signature"

const SECRET = "whsec_unit_test_secret"
const API_KEY = "pk_test_unit_key_abcdef"
const SESSION = "payses_01UNIT"
const ORDER_ID = "0b0c0d0e-0000-4000-8000-00000000abcd"

const options = {
  apiKey: API_KEY,
  webhookSecret: SECRET,
  backendUrl: "https://shop.example.com",
  baseUrl: "http://sandbox.test/payin/api/v1",
}

/** A fake PayIn: records calls, answers from a table of orders. */
class FakePayIn {
  orders = new Map<string, PayInOrder>()
  created: CreatePayInOrderInput[] = []
  gets: string[] = []
  nextCreateError?: Error
  async createOrder(input: CreatePayInOrderInput): Promise<PayInOrder> {
    if (this.nextCreateError) throw this.nextCreateError
    this.created.push(input)
    const id = `0b0c0d0e-0000-4000-8000-${String(this.created.length).padStart(12, "0")}`
    const order: PayInOrder = {
      id,
      orderReference: input.orderReference,
      status: "pending",
      amount: input.amount,
      confirmedReceived: "0",
      token: input.currency,
      chainId: input.chainId,
      address: "0xfeed",
      paymentUrl: `http://sandbox.test/payin/pay/${id}`,
      expiresAt: "2026-11-21T23:00:00.000Z",
      metadata: input.metadata,
    }
    this.orders.set(id, order)
    return order
  }
  async getOrder(id: string): Promise<PayInOrder> {
    this.gets.push(id)
    const order = this.orders.get(id)
    if (!order) throw new GatewayError({ gateway: "PayIn", summary: "no such order", httpStatus: 404 })
    return order
  }
  set(id: string, patch: Partial<PayInOrder>) {
    this.orders.set(id, { ...this.orders.get(id)!, ...patch })
  }
}

function setup(extra: Record<string, unknown> = {}) {
  const logs: Array<[string, string]> = []
  const logger = {
    info: (m: string) => logs.push(["info", m]),
    warn: (m: string) => logs.push(["warn", m]),
    error: (m: string) => logs.push(["error", m]),
  }
  const payin = new FakePayIn()
  const provider = new PayInProviderService({ logger } as never, { ...options, ...extra } as never, payin as unknown as PayInClient)
  return { provider, payin, logs }
}

async function initiate(provider: PayInProviderService, data: Record<string, unknown> = {}) {
  return provider.initiatePayment({ amount: 32.25, currency_code: "usd", data: { session_id: SESSION, ...data }, context: {} } as never)
}

function signed(body: unknown, opts: { secret?: string; t?: number; header?: string } = {}) {
  const raw = Buffer.from(JSON.stringify(body))
  const t = opts.t ?? Math.floor(Date.now() / 1000)
  const sig = `t=${t},v1=${computePayInSignature(raw, t, opts.secret ?? SECRET)}`
  return { data: body as Record<string, unknown>, rawData: raw, headers: { [opts.header ?? "x-payin-signature"]: sig } }
}

const completedEvent = (orderId: string, type = "order.completed") => ({
  id: `evt_${type.replace(".", "_")}_${orderId}`,
  type,
  created_at: "2026-11-21T22:50:00.000Z",
  data: { order_id: orderId, order_reference: SESSION, status: "completed", amount: "32.25" },
})

describe("PayInProviderService.initiatePayment", () => {
  it("creates an order for the session with an exact decimal amount, the defaults and the return route", async () => {
    const { provider, payin } = setup()
    const result = await initiate(provider)
    expect(payin.created).toEqual([
      {
        orderReference: SESSION,
        amount: "32.25",
        currency: "USDC",
        chainId: "ethereum-sepolia",
        successUrl: `https://shop.example.com/hooks/payin/return/${SESSION}`,
        cancelUrl: `https://shop.example.com/hooks/payin/return/${SESSION}`,
        paymentWindowMinutes: undefined,
        graceMinutes: undefined,
        metadata: { session_id: SESSION },
      },
    ])
    expect(result.status).toBe(PaymentSessionStatus.PENDING)
    expect(result.data).toEqual({
      session_id: SESSION,
      payin_order_id: result.id,
      payment_url: `http://sandbox.test/payin/pay/${result.id}`,
      address: "0xfeed",
      amount: "32.25",
      currency_code: "usd",
      token: "USDC",
      chain_id: "ethereum-sepolia",
      expires_at: "2026-11-21T23:00:00.000Z",
    })
    expect(JSON.stringify(result)).not.toContain(API_KEY)
    expect(JSON.stringify(result)).not.toContain(SECRET)
  })

  it("uses the customer's offered token and chain, and refuses others", async () => {
    const { provider, payin } = setup()
    await initiate(provider, { token: "usdt", chain_id: "tron-nile", cart_id: "cart_01ABC" })
    expect(payin.created[0]).toMatchObject({ currency: "USDT", chainId: "tron-nile", metadata: { session_id: SESSION, cart_id: "cart_01ABC" } })
    await expect(initiate(provider, { token: "USDT", chain_id: "ethereum-sepolia" })).rejects.toThrow(
      /does not take USDT on ethereum-sepolia.*USDC on ethereum-sepolia/
    )
  })

  it("refuses a store currency that is not priced 1:1, naming it", async () => {
    const { provider, payin } = setup()
    await expect(
      provider.initiatePayment({ amount: 30, currency_code: "eur", data: { session_id: SESSION } } as never)
    ).rejects.toThrow(/cannot take payments in EUR.*`acceptedCurrencies`/)
    expect(payin.created).toHaveLength(0)
  })

  it("raises an alert log when PayIn's address pool is exhausted and passes the shopper a retryable error", async () => {
    const { provider, payin, logs } = setup()
    payin.nextCreateError = new GatewayError({
      gateway: "PayIn",
      summary: "PayIn has no free payment address right now; please try again in a few minutes",
      code: "ADDRESS_POOL_EXHAUSTED",
      httpStatus: 409,
      retryable: true,
    })
    await expect(initiate(provider)).rejects.toMatchObject({ retryable: true, gatewayCode: "ADDRESS_POOL_EXHAUSTED" })
    expect(logs.find(([level, m]) => level === "error" && m.startsWith("ALERT PayIn address pool exhausted"))).toBeDefined()
  })
})

describe("PayInProviderService.updatePayment", () => {
  it("makes no call when nothing changed and a new order when the amount changed", async () => {
    const { provider, payin } = setup()
    const { data } = await initiate(provider)
    const same = await provider.updatePayment({ amount: "32.25", currency_code: "usd", data } as never)
    expect(same.data).toEqual(data)
    expect(payin.created).toHaveLength(1)
    expect(payin.gets).toHaveLength(0)

    const changed = await provider.updatePayment({ amount: 40, currency_code: "usd", data } as never)
    expect(payin.created).toHaveLength(2)
    expect(payin.created[1]).toMatchObject({ orderReference: SESSION, amount: "40.00" })
    expect(changed.data).toMatchObject({ amount: "40.00", replaced_order_ids: [data!.payin_order_id] })
  })

  it("refuses to abandon an order that already received money", async () => {
    const { provider, payin } = setup()
    const { data } = await initiate(provider)
    payin.set(data!.payin_order_id as string, { confirmedReceived: "5" })
    await expect(provider.updatePayment({ amount: 40, currency_code: "usd", data } as never)).rejects.toThrow(/cannot change/)
  })
})

describe("PayInProviderService status checks", () => {
  it("maps the fetched order and records what PayIn reported", async () => {
    const { provider, payin, logs } = setup()
    const { data } = await initiate(provider)
    const id = data!.payin_order_id as string
    expect((await provider.authorizePayment({ data } as never)).status).toBe(PaymentSessionStatus.PENDING)

    payin.set(id, { status: "expired", confirmedReceived: "10.5" })
    const partial = await provider.authorizePayment({ data } as never)
    expect(partial.status).toBe(PaymentSessionStatus.ERROR)
    expect(partial.data).toMatchObject({ payin_status: "expired", confirmed_received: "10.5", flags: ["partial_payment"] })
    expect(logs.some(([l, m]) => l === "warn" && m.includes("expired with 10.5 of 32.25"))).toBe(true)

    payin.set(id, { status: "completed", confirmedReceived: "40" })
    const over = await provider.getPaymentStatus({ data } as never)
    expect(over.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(over.data).toMatchObject({ overpaid_amount: "7.75", flags: ["overpaid"] })
  })

  it("reports pending_authorization for a pending order when orders are placed before confirmation", async () => {
    const { provider } = setup({ placeOrderBeforeConfirmation: true })
    const { data } = await initiate(provider)
    expect((await provider.authorizePayment({ data } as never)).status).toBe(PaymentSessionStatus.PENDING_AUTHORIZATION)
  })

  it("refuses session data that points at another session's order", async () => {
    const { provider, payin } = setup()
    const { data } = await initiate(provider)
    const other = await payin.createOrder({ orderReference: "payses_OTHER", amount: "1.00", currency: "USDC", chainId: "ethereum-sepolia" })
    await expect(provider.authorizePayment({ data: { ...data, payin_order_id: other.id } } as never)).rejects.toThrow(/another checkout/)
  })

  it("capture is a no-op; cancel is recorded locally and late money is flagged", async () => {
    const { provider, payin, logs } = setup()
    const { data } = await initiate(provider)
    expect((await provider.capturePayment({ data } as never)).data).toEqual(data)
    const canceled = await provider.cancelPayment({ data } as never)
    expect(canceled.data!.canceled_at).toEqual(expect.any(String))
    payin.set(data!.payin_order_id as string, { status: "completed", confirmedReceived: "32.25" })
    const late = await provider.getPaymentStatus({ data: canceled.data } as never)
    expect(late.data).toMatchObject({ flags: ["payment_after_cancel"], confirmed_received: "32.25" })
    expect(logs.some(([l, m]) => l === "error" && m.includes("after the Medusa payment was cancelled"))).toBe(true)
  })
})

describe("PayInProviderService.refundPayment", () => {
  it("refuses by default, explaining crypto refunds are sent by hand", async () => {
    const { provider } = setup()
    const { data } = await initiate(provider)
    await expect(
      provider.refundPayment({ amount: { value: "5.25", precision: 20 }, data, context: { idempotency_key: "ref_1" } } as never)
    ).rejects.toThrow(/crypto refunds are sent by hand from the merchant wallet \(5.25 USDC on ethereum-sepolia\)/)
  })

  it("records a manual refund once per Medusa refund when enabled", async () => {
    const { provider } = setup({ recordManualRefunds: true })
    const { data } = await initiate(provider)
    const once = await provider.refundPayment({ amount: { value: "5.25", precision: 20 }, data, context: { idempotency_key: "ref_1" } } as never)
    expect(once.data!.manual_refunds).toEqual([{ refund_id: "ref_1", amount: "5.25", currency_code: "usd", recorded_at: expect.any(String) }])
    const again = await provider.refundPayment({ amount: "5.25", data: once.data, context: { idempotency_key: "ref_1" } } as never)
    expect(again.data!.manual_refunds).toHaveLength(1)
  })
})

describe("PayInProviderService.getWebhookActionAndData", () => {
  async function paidOrder(setupResult = setup()) {
    const { data } = await initiate(setupResult.provider)
    const id = data!.payin_order_id as string
    setupResult.payin.set(id, { status: "completed", confirmedReceived: "32.25" })
    return { ...setupResult, id }
  }

  it("re-fetches the order and returns captured for a verified completion", async () => {
    const { provider, payin, id } = await paidOrder()
    payin.gets.length = 0
    const result = await provider.getWebhookActionAndData(signed(completedEvent(id)))
    expect(result).toEqual({ action: PaymentActions.SUCCESSFUL, data: { session_id: SESSION, amount: "32.25" } })
    expect(payin.gets).toEqual([id])
  })

  it("accepts the payin-signature header and the Redis event bus body form", async () => {
    const { provider, id } = await paidOrder()
    const payload = signed(completedEvent(id), { header: "payin-signature" })
    const redisForm = { ...payload, rawData: JSON.parse(JSON.stringify(payload.rawData)) }
    expect((await provider.getWebhookActionAndData(redisForm)).action).toBe(PaymentActions.SUCCESSFUL)
  })

  it("accepts the plain signature form, still deciding by the re-fetched order; a plain form with another secret is refused", async () => {
    const { provider, payin, id } = await paidOrder()
    const plainSigned = (secret: string) => {
      const raw = Buffer.from(JSON.stringify(completedEvent(id)))
      return { data: completedEvent(id), rawData: raw, headers: { "x-payin-signature": computePayInPlainSignature(raw, secret) } }
    }
    payin.gets.length = 0
    expect(await provider.getWebhookActionAndData(plainSigned(SECRET))).toEqual({ action: PaymentActions.SUCCESSFUL, data: { session_id: SESSION, amount: "32.25" } })
    expect(payin.gets).toEqual([id])
    payin.set(id, { status: "pending", confirmedReceived: "0" })
    expect((await provider.getWebhookActionAndData(plainSigned(SECRET))).action).toBe(PaymentActions.NOT_SUPPORTED)
    payin.gets.length = 0
    expect(await provider.getWebhookActionAndData(plainSigned("whsec_other_secret"))).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(payin.gets).toHaveLength(0)
  })

  it("does not trust the event: an order PayIn still reports pending is not paid", async () => {
    const { provider, payin } = setup()
    const { data } = await initiate(provider)
    const result = await provider.getWebhookActionAndData(signed(completedEvent(data!.payin_order_id as string)))
    expect(result.action).toBe(PaymentActions.NOT_SUPPORTED)
    expect(payin.gets).toHaveLength(1)
  })

  it.each([
    ["unsigned", (p: ReturnType<typeof signed>) => ({ ...p, headers: {} }), "missing_signature"],
    ["wrong secret", (p: ReturnType<typeof signed>) => p, "signature_mismatch"],
    ["tampered body", (p: ReturnType<typeof signed>) => ({ ...p, rawData: Buffer.from(p.rawData.toString().replace("32.25", "0.01")) }), "signature_mismatch"],
    ["replayed", (p: ReturnType<typeof signed>) => p, "timestamp_out_of_window"],
    ["re-serialised", (p: ReturnType<typeof signed>) => ({ ...p, rawData: p.data }), "no raw body"],
  ])("rejects a %s webhook without asking PayIn", async (name, mutate, verdict) => {
    const { provider, payin, logs, id } = await paidOrder()
    payin.gets.length = 0
    const base = signed(completedEvent(id), {
      secret: name === "wrong secret" ? "whsec_other_secret" : SECRET,
      t: name === "replayed" ? Math.floor(Date.now() / 1000) - 600 : undefined,
    })
    const result = await provider.getWebhookActionAndData(mutate(base) as never)
    expect(result).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(payin.gets).toHaveLength(0)
    expect(logs.some(([l, m]) => l === "warn" && m.includes(verdict))).toBe(true)
  })

  it("ignores an expiry that arrives after the order completed", async () => {
    const { provider, id } = await paidOrder()
    expect(await provider.getWebhookActionAndData(signed(completedEvent(id, "order.expired")))).toEqual({ action: PaymentActions.NOT_SUPPORTED })
  })

  it("maps an expiry to canceled, or failed with a flag when part of the amount arrived", async () => {
    const { provider, payin, logs } = setup()
    const { data } = await initiate(provider)
    const id = data!.payin_order_id as string
    payin.set(id, { status: "expired" })
    expect(await provider.getWebhookActionAndData(signed(completedEvent(id, "order.expired")))).toEqual({
      action: PaymentActions.CANCELED,
      data: { session_id: SESSION, amount: "32.25" },
    })
    payin.set(id, { status: "expired", confirmedReceived: "3" })
    expect((await provider.getWebhookActionAndData(signed(completedEvent(id, "order.expired")))).action).toBe(PaymentActions.FAILED)
    expect(logs.some(([l, m]) => l === "warn" && m.includes("expired with 3 of 32.25"))).toBe(true)
  })

  it("acknowledges other event types and orders not created by Medusa without acting", async () => {
    const { provider, payin, id } = await paidOrder()
    expect((await provider.getWebhookActionAndData(signed({ id: "evt_t", type: "test.event", data: {} }))).action).toBe(PaymentActions.NOT_SUPPORTED)
    expect((await provider.getWebhookActionAndData(signed({ id: "evt_d", type: "deposit.confirmed", data: { order_id: id } }))).action).toBe(
      PaymentActions.NOT_SUPPORTED
    )
    const foreign = await payin.createOrder({ orderReference: "woo-1234", amount: "1.00", currency: "USDC", chainId: "ethereum-sepolia" })
    payin.set(foreign.id, { status: "completed", confirmedReceived: "1.00" })
    expect(await provider.getWebhookActionAndData(signed(completedEvent(foreign.id)))).toEqual({ action: PaymentActions.NOT_SUPPORTED })
  })
})

describe("PayInProviderService accessors and inbox events", () => {
  async function paidOrder() {
    const s = setup()
    const { data } = await initiate(s.provider)
    const id = data!.payin_order_id as string
    s.payin.set(id, { status: "completed", confirmedReceived: "32.25" })
    s.payin.gets.length = 0
    return { ...s, id }
  }
  const HOURS_AGO = Math.floor(Date.now() / 1000) - 6 * 3600

  it("hands out the client it uses and the webhook secret of its options", async () => {
    const { provider, payin } = setup()
    expect(await provider.gatewayClient()).toBe(payin)
    expect(await provider.webhookSecret()).toBe(SECRET)
  })

  it("processes a stored event whose signature has long expired, asking PayIn for the order (no re-signing)", async () => {
    const { provider, payin, id } = await paidOrder()
    const stored = signed(completedEvent(id), { t: HOURS_AGO })
    // Live, the same delivery is a replay and refused without asking PayIn.
    expect(await provider.getWebhookActionAndData(stored)).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(payin.gets).toEqual([])

    const result = await provider.actionForStoredEvent({ rawBody: stored.rawData, headers: stored.headers })
    expect(result).toEqual({ action: PaymentActions.SUCCESSFUL, data: { session_id: SESSION, amount: "32.25" } })
    expect(payin.gets).toEqual([id])
  })

  it("takes reconciliation's unsigned events too, and still trusts only PayIn's answer", async () => {
    const { provider, payin, id } = await paidOrder()
    const rawBody = Buffer.from(JSON.stringify({ id: `reconciliation:${id}:order.completed`, type: "order.completed", data: { orderId: id } }))
    expect((await provider.actionForStoredEvent({ rawBody })).action).toBe(PaymentActions.SUCCESSFUL)

    payin.set(id, { status: "pending", confirmedReceived: "0" })
    expect(await provider.actionForStoredEvent({ rawBody })).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(await provider.actionForStoredEvent({ rawBody: Buffer.from("not json") })).toEqual({ action: PaymentActions.NOT_SUPPORTED })
  })
})
