import { BigNumber, PaymentActions, PaymentSessionStatus } from "@medusajs/framework/utils"
import { MemorySlotStore, RequestBudget } from "../../../lib/request-budget"
import { SecPaidClient } from "../client"
import { DEFAULT_SECPAID_BUDGET_POLICY } from "../request-budget"
import { registerPaymentGatewaysModule } from "../../../modules/payment-gateways/runtime"
import { SecPaidProviderService } from "../service"
import { LinkEvidenceCache } from "../verification-cache"
import { runGatewayCall } from "../../../lib/gateway-call-context"
import { FAKE_KEY, FakeSecPaid, noSleep, recordingLogger } from "./fake-secpaid"

const NOW = new Date("2026-11-21T12:00:00.000Z")

/** Each test its own SecPaid answers: by default nothing is reused, so every check reaches the fake. */
function setup(
  options: Record<string, unknown> = {},
  evidenceCache = new LinkEvidenceCache({ unpaidTtlMs: -1, paidTtlMs: -1 }),
  register?: (options: Record<string, unknown>) => unknown
) {
  const fake = new FakeSecPaid()
  const { logger, lines } = recordingLogger()
  const allOptions = { apiKey: FAKE_KEY, backendUrl: "https://shop.example", storefrontReturnUrl: "https://store.example/checkout/done", ...options }
  const client = new SecPaidClient({
    apiKey: FAKE_KEY,
    baseUrl: "https://fake.secpaid/api/v2/",
    timeoutMs: 1000,
    adapter: fake.adapter,
    sleep: noSleep,
    random: () => 0,
    budget: new RequestBudget({ ...DEFAULT_SECPAID_BUDGET_POLICY, limit: 1000, windowMs: 60_000, store: new MemorySlotStore() }),
    extraSecrets: typeof options.encryptionKey === "string" ? [options.encryptionKey] : [],
  })
  SecPaidProviderService.validateOptions(allOptions)
  const cradle = register ? { logger, configModule: register(allOptions) } : { logger }
  const provider = new SecPaidProviderService(cradle as never, allOptions, { client, now: () => NOW, evidenceCache })
  return { fake, provider, lines }
}

async function initiated(provider: SecPaidProviderService, amount: unknown = 30, sessionId = "payses_01TEST") {
  return await provider.initiatePayment({ amount: amount as never, currency_code: "eur", data: { session_id: sessionId, cart_id: "cart_01X" }, context: { idempotency_key: sessionId } })
}

describe("initiatePayment", () => {
  it("creates one link carrying the session and cart id, returning no secrets", async () => {
    const { fake, provider } = setup({ encryptionKey: "0123456789abcdef0123456789ABCDEF" })
    const result = await initiated(provider, 25.5)
    expect(result.status).toBe(PaymentSessionStatus.PENDING)
    expect(result.data).toMatchObject({ pay_id: "1000", amount: "25.50", currency: "eur", session_id: "payses_01TEST", cart_id: "cart_01X" })
    expect(result.data?.pay_link).toMatch(/^https:\/\/fake\.secpaid\/payment\?link_id=/)
    const body = fake.callsTo("createLink")[0].body
    expect(body).toMatchObject({
      amount: "25.50",
      recipient_note: "medusa:payses_01TEST cart:cart_01X",
      callback_url: "https://shop.example/hooks/secpaid/return/payses_01TEST",
      payment_endpoint: "https://shop.example/hooks/secpaid",
      is_encryption: "true",
    })
    const serialized = JSON.stringify(result)
    expect(serialized).not.toContain(FAKE_KEY)
    expect(serialized).not.toContain("0123456789abcdef")
  })

  it("puts its own registration's webhook URL on the link, unless paymentEndpoint says otherwise", async () => {
    // Two SecPaid accounts: the provider is the registration whose options object it was handed.
    const twoAccounts = (own: Record<string, unknown>) => ({
      modules: [
        {
          resolve: "@medusajs/medusa/payment",
          options: {
            providers: [
              { resolve: "./src/providers/secpaid", id: "eu", options: { apiKey: "other" } },
              { resolve: "./src/providers/secpaid", id: "marketplace", options: own },
            ],
          },
        },
      ],
    })
    const { fake, provider } = setup({}, undefined, twoAccounts)
    expect(provider.registration()).toEqual({ gateway: "secpaid", registrationId: "marketplace", providerId: "pp_secpaid_marketplace" })
    await initiated(provider)
    expect(fake.callsTo("createLink")[0].body.payment_endpoint).toBe("https://shop.example/hooks/secpaid/marketplace")

    const explicit = setup({ paymentEndpoint: "https://hooks.example/secpaid" }, undefined, twoAccounts)
    await initiated(explicit.provider)
    expect(explicit.fake.callsTo("createLink")[0].body.payment_endpoint).toBe("https://hooks.example/secpaid")
  })

  it("refuses another currency, naming it, before any call", async () => {
    const { fake, provider } = setup()
    await expect(provider.initiatePayment({ amount: 10, currency_code: "usd", data: { session_id: "payses_1" } })).rejects.toThrow(/SecPaid only accepts EUR, but this payment is in USD/)
    expect(fake.calls).toHaveLength(0)
  })

  it("formats BigNumber raw amounts without floats", async () => {
    const { fake, provider } = setup()
    await initiated(provider, { value: "30", precision: 20 })
    expect(fake.callsTo("createLink")[0].body.amount).toBe("30.00")
  })

  it("reuses the link when createLink timed out after SecPaid created it", async () => {
    const { fake, provider, lines } = setup()
    let first = true
    fake.override((call) => {
      if (call.endpoint !== "createLink" || !first) return undefined
      first = false
      fake.createLinkFrom(call.body)
      return "timeout"
    })
    const result = await initiated(provider)
    expect(fake.callsTo("createLink")).toHaveLength(1)
    expect(fake.links).toHaveLength(1)
    expect(result.data?.pay_id).toBe(fake.links[0].id)
    expect(lines.some((l) => /reusing it/.test(l.message))).toBe(true)
  })

  it("creates the link again when createLink timed out before SecPaid created it", async () => {
    const { fake, provider } = setup()
    let first = true
    fake.override((call) => (call.endpoint === "createLink" && first ? ((first = false), "timeout") : undefined))
    await initiated(provider)
    expect(fake.callsTo("getMyUnusedLinks")[0].body.search).toBe("payses_01TEST")
    expect(fake.callsTo("createLink")).toHaveLength(2)
    expect(fake.links).toHaveLength(1)
  })

  it("does not retry createLink when SecPaid refused it", async () => {
    const { fake, provider } = setup()
    fake.override((c) => (c.endpoint === "createLink" ? { body: { ResponseCode: 0, ResponseMsg: "Invalid payment_endpoint", Result: "False" } } : undefined))
    await expect(initiated(provider)).rejects.toThrow(/SecPaid said: "Invalid payment_endpoint"/)
    expect(fake.calls).toHaveLength(1)
  })

  it("uses createSplitLink when split recipients are configured", async () => {
    const { fake, provider } = setup({ splitRecipients: [{ token: "rcpt_token_1", share: 10 }], splitType: "normal" })
    const result = await initiated(provider)
    expect(fake.callsTo("createSplitLink")[0].body).toMatchObject({ recipients: [{ token: "rcpt_token_1", share: "10" }], split_type: "normal" })
    expect(JSON.stringify(result)).not.toContain("rcpt_token_1")
  })
})

describe("updatePayment", () => {
  it("makes no call when the amount is unchanged", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.calls = []
    const result = await provider.updatePayment({ amount: 30, currency_code: "eur", data: data! })
    expect(fake.calls).toHaveLength(0)
    expect(result.data).toEqual(data)
  })

  it("replaces the unused link when the amount changes", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    const result = await provider.updatePayment({ amount: 35, currency_code: "eur", data: data! })
    expect(fake.callsTo("deleteLink")[0].body.link_id).toBe("1000")
    expect(result.data).toMatchObject({ pay_id: "1001", amount: "35.00", session_id: "payses_01TEST" })
    expect(fake.links.map((l) => l.status)).toEqual(["Deleted", "Unused"])
  })
})

describe("authorizePayment / getPaymentStatus / retrievePayment", () => {
  it("is pending while nothing is paid, captured once SecPaid lists the exact payment", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    await expect(provider.authorizePayment({ data })).resolves.toMatchObject({ status: PaymentSessionStatus.PENDING })
    fake.pay("1000")
    const result = await provider.authorizePayment({ data })
    expect(result.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(result.data).toMatchObject({ paid_amount: "30.00", transaction_id: "20261121-pi-1000", secpaid_status: "captured" })
  })

  it("is an error, with the reason kept and logged, when the paid amount differs", async () => {
    const { fake, provider, lines } = setup()
    const { data } = await initiated(provider)
    fake.pay("1000", "3.00")
    const result = await provider.getPaymentStatus({ data })
    expect(result.status).toBe(PaymentSessionStatus.ERROR)
    expect(result.data?.error_reason).toMatch(/3.00 EUR but this session expects 30.00 EUR/)
    expect(lines.some((l) => l.level === "error" && /expects 30.00 EUR/.test(l.message))).toBe(true)
  })

  it("is canceled when the customer cancelled the link", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.links[0].status = "Cancelled"
    await expect(provider.getPaymentStatus({ data })).resolves.toMatchObject({ status: PaymentSessionStatus.CANCELED })
  })

  it("is canceled when the link was deleted", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.links[0].status = "Deleted"
    await expect(provider.retrievePayment({ data })).resolves.toMatchObject({ data: { secpaid_status: "canceled" } })
  })
})

describe("capture, cancel, delete", () => {
  it("capture is a no-op", async () => {
    const { fake, provider } = setup()
    const result = await provider.capturePayment({ data: { pay_id: "1" } })
    expect(result.data).toEqual({ pay_id: "1" })
    expect(fake.calls).toHaveLength(0)
  })

  it("cancel deletes an unused link and tolerates an already deleted one", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    const first = await provider.cancelPayment({ data })
    expect(first.data).toMatchObject({ canceled_at: NOW.toISOString() })
    await expect(provider.deletePayment({ data })).resolves.toBeDefined()
    expect(fake.callsTo("deleteLink")).toHaveLength(2)
  })

  it("refuses to cancel a paid link and says to refund", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.pay("1000")
    await expect(provider.cancelPayment({ data })).rejects.toThrow("SecPaid link 1000 is already paid, so it cannot be cancelled; refund the payment instead.")
  })

  it("delete without a link makes no call", async () => {
    const { fake, provider } = setup()
    await provider.deletePayment({ data: { session_id: "payses_1" } })
    expect(fake.calls).toHaveLength(0)
  })
})

describe("refundPayment", () => {
  it("requests a partial refund and records it as awaiting approval", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.pay("1000")
    const captured = (await provider.authorizePayment({ data })).data
    const result = await provider.refundPayment({ amount: { value: "5.25", precision: 20 } as never, data: captured })
    expect(fake.callsTo("refundPayment")[0].body).toEqual({ pay_id: "1000", refund_amount: "5.25", isFullRefund: "false" })
    expect(result.data?.refund).toEqual({ status: "requested", amount: "5.25", full: false, requested_at: NOW.toISOString(), note: "awaiting SecPaid approval" })
  })

  it("marks a full refund and refuses a second one before any call", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.pay("1000")
    const first = await provider.refundPayment({ amount: new BigNumber(30) as never, data })
    expect(fake.callsTo("refundPayment")[0].body.isFullRefund).toBe("true")
    fake.calls = []
    await expect(provider.refundPayment({ amount: 1, data: first.data })).rejects.toThrow(/only one refund request per payment/)
    expect(fake.calls).toHaveLength(0)
  })

  it("turns the refund to approved once a Refund row appears", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    fake.pay("1000")
    const refunded = await provider.refundPayment({ amount: 10, data })
    fake.rows.push({ pay_id: "1000", transaction_id: "r1", amount: "10.00", status: "Success", transaction_type: "Refund", is_refund: "Yes" })
    const { data: after } = await provider.retrievePayment({ data: refunded.data })
    expect(after?.refund).toMatchObject({ status: "approved", approved_amount: "10.00", amount: "10.00" })
  })

  it("refuses more than was paid", async () => {
    const { fake, provider } = setup()
    const { data } = await initiated(provider)
    await expect(provider.refundPayment({ amount: 31, data })).rejects.toThrow(/cannot refund 31.00 EUR on a payment of 30.00 EUR/)
    expect(fake.callsTo("refundPayment")).toHaveLength(0)
  })
})

describe("getWebhookActionAndData", () => {
  const form = (payId: string, status: string) => Buffer.from(`ResponseCode=1&data%5Bpay_id%5D=${payId}&data%5Bstatus%5D=${status}`)

  it("returns captured with the session and verified amount only after getPayInTransactions confirms", async () => {
    const { fake, provider } = setup()
    await initiated(provider)
    fake.pay("1000")
    const result = await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "success"), headers: {} })
    expect(result.action).toBe(PaymentActions.SUCCESSFUL)
    expect(result.data?.session_id).toBe("payses_01TEST")
    expect(new BigNumber(result.data!.amount).numeric).toBe(30)
    expect(fake.callsTo("getPayInTransactions")[0].body.pay_id).toBe("1000")
  })

  it("rejects a forged success for an unpaid link and logs it as forged", async () => {
    const { provider, lines } = setup()
    await initiated(provider)
    const result = await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "Success"), headers: {} })
    expect(result).toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(lines.some((l) => l.level === "warn" && /ignored as forged or unverified/.test(l.message))).toBe(true)
  })

  it("returns canceled for a cancel SecPaid confirms", async () => {
    const { fake, provider } = setup()
    await initiated(provider)
    fake.links[0].status = "Cancelled"
    const result = await provider.getWebhookActionAndData({ data: {}, rawData: Buffer.from(JSON.stringify({ "data[pay_id]": 1000, "data[Status]": "cancel" })), headers: {} })
    expect(result).toMatchObject({ action: PaymentActions.CANCELED, data: { session_id: "payses_01TEST" } })
  })

  it("ignores a cancel for a link that is paid", async () => {
    const { fake, provider } = setup()
    await initiated(provider)
    fake.pay("1000")
    const result = await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "cancel"), headers: {} })
    expect(result.action).toBe(PaymentActions.NOT_SUPPORTED)
  })

  it("accepts the Redis event bus's serialised Buffer", async () => {
    const { fake, provider } = setup()
    await initiated(provider)
    fake.pay("1000")
    const rawData = { type: "Buffer", data: [...form("1000", "success")] }
    await expect(provider.getWebhookActionAndData({ data: {}, rawData: rawData as never, headers: {} })).resolves.toMatchObject({ action: "captured" })
  })

  it("with an encryption key, ignores plain bodies without calling SecPaid", async () => {
    const { fake, provider, lines } = setup({ encryptionKey: "0123456789abcdef0123456789ABCDEF" })
    const result = await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "success"), headers: {} })
    expect(result.action).toBe(PaymentActions.NOT_SUPPORTED)
    expect(fake.calls).toHaveLength(0)
    expect(lines.some((l) => /not encrypted/.test(l.message))).toBe(true)
  })
})

describe("accessors for the webhook route and reconciliation", () => {
  it("hand out the client the provider uses and its webhook encryption key", async () => {
    const key = "0123456789abcdef0123456789ABCDEF"
    const { provider } = setup({ encryptionKey: key })
    const client = await provider.gatewayClient()
    expect(client).toBeInstanceOf(SecPaidClient)
    expect((await provider.gatewayRuntime()).client).toBe(client)
    expect(await provider.gatewayClient()).toBe(client)
    expect(await provider.webhookEncryptionKey()).toBe(key)
    expect(await setup().provider.webhookEncryptionKey()).toBeUndefined()
  })
})

describe("verdict cache: what a flood of checks of one session costs SecPaid", () => {
  const form = (payId: string, status: string) => Buffer.from(`ResponseCode=1&data%5Bpay_id%5D=${payId}&data%5Bstatus%5D=${status}`)
  let clock = 0
  const cache = () => new LinkEvidenceCache({ unpaidTtlMs: 10_000, paidTtlMs: 60_000, now: () => clock })
  beforeEach(() => (clock = 1_000_000))

  it("answers repeated browser returns / cart completions of an unpaid link from one SecPaid check per 10 s, sharing a check in flight", async () => {
    const { fake, provider } = setup({}, cache())
    const { data } = await initiated(provider)
    const anonymous = <T>(fn: () => Promise<T>) => runGatewayCall({ priority: "anonymous" }, fn)
    const statuses = await Promise.all(Array.from({ length: 20 }, () => anonymous(() => provider.getPaymentStatus({ data }))))
    expect(new Set(statuses.map((s) => s.status))).toEqual(new Set([PaymentSessionStatus.PENDING]))
    await anonymous(() => provider.authorizePayment({ data })) // cart completion
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(1)
    clock += 10_001
    await anonymous(() => provider.getPaymentStatus({ data }))
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(2)
  })

  it("staff, refunds and anything that is not anonymous always ask SecPaid (a refund approved a second ago is seen)", async () => {
    const { fake, provider } = setup({}, cache())
    const { data } = await initiated(provider)
    fake.pay("1000")
    await runGatewayCall({ priority: "anonymous" }, () => provider.getPaymentStatus({ data }))
    await provider.retrievePayment({ data })
    await provider.getPaymentStatus({ data })
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(3)
  })

  it("bounds the checks one source address causes across sessions: beyond 10 a minute it answers pending without asking SecPaid", async () => {
    const { fake, provider } = setup({}, cache())
    const sessions: Array<Record<string, unknown> | undefined> = []
    for (let i = 0; i < 12; i++) sessions.push((await initiated(provider, 30, `payses_SRC${i}`)).data)
    const statuses: string[] = []
    for (const data of sessions) {
      statuses.push((await runGatewayCall({ priority: "anonymous", source: "203.0.113.5" }, () => provider.getPaymentStatus({ data }))).status)
    }
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(10)
    expect(statuses.slice(10)).toEqual([PaymentSessionStatus.PENDING, PaymentSessionStatus.PENDING])
    // Another address is not held back.
    await runGatewayCall({ priority: "anonymous", source: "198.51.100.1" }, () => provider.getPaymentStatus({ data: sessions[11] }))
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(11)
  })

  it("never answers webhook processing (fresh) from a cached unpaid verdict: a payment made a second ago is seen", async () => {
    const { fake, provider } = setup({}, cache())
    const { data } = await initiated(provider)
    await runGatewayCall({ priority: "anonymous" }, () => provider.getPaymentStatus({ data }))
    fake.pay("1000")
    const fresh = await runGatewayCall({ priority: "verification", freshVerification: true }, () => provider.authorizePayment({ data }))
    expect(fresh.status).toBe(PaymentSessionStatus.CAPTURED)
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(2)
  })

  it("reuses a verified payment within one webhook's processing: its check serves the cart completion that follows it", async () => {
    const { fake, provider } = setup({}, cache())
    const { data } = await initiated(provider)
    fake.pay("1000")
    await runGatewayCall({ priority: "verification", freshVerification: true, confirmed: new Map() }, async () => {
      expect((await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "success"), headers: {} })).action).toBe(PaymentActions.SUCCESSFUL)
      expect((await provider.authorizePayment({ data })).status).toBe(PaymentSessionStatus.CAPTURED)
    })
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(1)
  })
})

describe("links this store issued", () => {
  const form = (payId: string, status: string, responseCode = "1") =>
    Buffer.from(`ResponseCode=${responseCode}&data%5Bpay_id%5D=${payId}&data%5Bstatus%5D=${status}`)
  const issued = new Map<string, string>()
  const registry = {
    recordIssuedReference: jest.fn(async (input: { reference: string; sessionId: string }) => void issued.set(input.reference, input.sessionId)),
    findIssuedReference: jest.fn(async (_gateway: string, reference: string) => (issued.has(reference) ? { sessionId: issued.get(reference)! } : undefined)),
  }
  beforeEach(() => {
    issued.clear()
    registerPaymentGatewaysModule(registry as never)
  })
  afterEach(() => registerPaymentGatewaysModule(undefined as never))

  it("records every link it creates, with its session, before handing it out", async () => {
    const { provider } = setup()
    const { data } = await initiated(provider)
    expect(issued.get(String(data!.pay_id))).toBe("payses_01TEST")
  })

  it("costs no SecPaid call for a claim about a link it never issued, or for an error notification (Medusa's own route)", async () => {
    const { fake, provider } = setup()
    await initiated(provider)
    fake.pay("1000")
    const before = fake.callsTo("getPayInTransactions").length
    await expect(provider.getWebhookActionAndData({ data: {}, rawData: form("777777", "success"), headers: {} })).resolves.toEqual({ action: PaymentActions.NOT_SUPPORTED })
    await expect(provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "success", "0"), headers: {} })).resolves.toEqual({ action: PaymentActions.NOT_SUPPORTED })
    expect(fake.callsTo("getPayInTransactions")).toHaveLength(before)
    // The issued link is still verified and believed.
    expect((await provider.getWebhookActionAndData({ data: {}, rawData: form("1000", "success"), headers: {} })).action).toBe(PaymentActions.SUCCESSFUL)
  })

  it("deletes the link again and refuses the session when the link cannot be recorded", async () => {
    const { fake, provider } = setup()
    registry.recordIssuedReference.mockRejectedValueOnce(new Error("database unavailable"))
    await expect(initiated(provider)).rejects.toThrow(/could not be recorded in the store's database \(database unavailable\); try the payment again/)
    expect(fake.callsTo("deleteLink")[0].body.link_id).toBe("1000")
  })
})
