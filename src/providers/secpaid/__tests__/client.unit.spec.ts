import { runGatewayCall, type GatewayCallPriority } from "../../../lib/gateway-call-context"
import { MemorySlotStore, RequestBudget } from "../../../lib/request-budget"
import { SecPaidApiError, SecPaidClient } from "../client"
import { DEFAULT_SECPAID_BUDGET_POLICY } from "../request-budget"
import { envelope, FAKE_KEY, FakeSecPaid, noSleep, recordingLogger } from "./fake-secpaid"

function setup(extra: { sleep?: (ms: number) => Promise<void> } = {}) {
  const fake = new FakeSecPaid()
  const { logger, lines } = recordingLogger()
  const client = new SecPaidClient({
    apiKey: FAKE_KEY,
    baseUrl: "https://fake.secpaid/api/v2/",
    timeoutMs: 1000,
    environment: "development",
    logger,
    adapter: fake.adapter,
    sleep: extra.sleep ?? noSleep,
    random: () => 0.5,
    budget: new RequestBudget({ ...DEFAULT_SECPAID_BUDGET_POLICY, limit: 1000, windowMs: 60_000, store: new MemorySlotStore() }),
  })
  return { fake, client, lines }
}

const linkArgs = { amount: "30.00", recipientNote: "medusa:payses_1", cancellable: true, bankTransfer: false }

describe("SecPaidClient transport", () => {
  it("sends createLink form-urlencoded with the token header and both cancellable flags", async () => {
    const { fake, client } = setup()
    const link = await client.createLink({ ...linkArgs, callbackUrl: "https://shop.example/hooks/secpaid/return/payses_1", paymentEndpoint: "0,https://shop.example/hooks/x" })
    const call = fake.callsTo("createLink")[0]
    expect(call.headers.token).toBe(FAKE_KEY)
    expect(call.contentType).toContain("application/x-www-form-urlencoded")
    expect(call.body).toMatchObject({ amount: "30.00", recipient_note: "medusa:payses_1", cancellable: "true", is_cancellation: "Yes", bank_transfer: "false", payment_endpoint: "0,https://shop.example/hooks/x" })
    expect(call.body).not.toHaveProperty("encryption_key")
    expect(link).toMatchObject({ payId: "1000", amount: "30.00" })
  })

  it("sends createSplitLink as JSON with recipients as an array", async () => {
    const { fake, client } = setup()
    await client.createSplitLink({ ...linkArgs, recipients: [{ token: "rcpt_tok", share: "10" }], splitType: "normal" })
    const call = fake.callsTo("createSplitLink")[0]
    expect(call.contentType).toContain("application/json")
    expect(call.body).toMatchObject({ amount: "30.00", split_type: "normal", recipients: [{ token: "rcpt_tok", share: "10" }] })
  })

  it.each([
    ["new docs: id", { id: 42011, pay_link: "https://app.secpaid.com/payment?link_id=NDIwMTE=", amount: 30 }],
    ["old docs: linktopay_id as string", { linktopay_id: "42011", pay_link: "https://app.secpaid.com/payment?link_id=NDIwMTE=", amount: "30.00" }],
  ])("reads the link id from %s", async (_name, data) => {
    const { fake, client } = setup()
    fake.override((c) => (c.endpoint === "createLink" ? { body: envelope(data) } : undefined))
    await expect(client.createLink(linkArgs)).resolves.toMatchObject({ payId: "42011" })
  })

  it("accepts transaction rows with numbers as strings or numbers and Yes/true flags", async () => {
    const { fake, client } = setup()
    fake.override(() => ({
      body: envelope([
        { pay_id: 7, amount: 30, status: "Success", is_refund: "No", is_dispute: false, transaction_type: "Basic" },
        { pay_id: "7", amount: "5.00", status: "Success", is_refund: "Yes", is_dispute: "No", transaction_type: "Refund" },
        { pay_id: "8", amount: "1.00", status: "Success", transaction_type: "Basic" },
      ]),
    }))
    const rows = await client.getPayInTransactions({ payId: "7" })
    expect(rows).toEqual([
      expect.objectContaining({ payId: "7", amount: "30", isRefund: false, transactionType: "Basic" }),
      expect.objectContaining({ payId: "7", amount: "5.00", isRefund: true, transactionType: "Refund" }),
    ])
  })

  it("treats a 'no record found' answer of a list endpoint as an empty list", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ body: envelope([], false, "No record found") }))
    await expect(client.getMyUnusedLinks({ search: "x" })).resolves.toEqual([])
  })
})

describe("SecPaidClient retries", () => {
  it("backs off on 429 and never waits less than Retry-After", async () => {
    const sleeps: number[] = []
    const { fake, client, lines } = setup({ sleep: async (ms) => void sleeps.push(ms) })
    let n = 0
    fake.override((c) => (c.endpoint === "createLink" && n++ < 2 ? { status: 429, body: envelope([], false, "API rate limit exceeded"), headers: { "retry-after": "7" } } : undefined))
    await expect(client.createLink(linkArgs)).resolves.toMatchObject({ payId: "1000" })
    expect(fake.callsTo("createLink")).toHaveLength(3)
    expect(sleeps).toHaveLength(2)
    for (const ms of sleeps) expect(ms).toBeGreaterThanOrEqual(7000)
    expect(fake.links).toHaveLength(1)
    expect(lines.some((l) => l.level === "warn" && /createLink attempt 1 failed \(rate_limited, HTTP 429/.test(l.message))).toBe(true)
  })

  it("uses exponential backoff with jitter when no Retry-After is given", async () => {
    const sleeps: number[] = []
    const { fake, client } = setup({ sleep: async (ms) => void sleeps.push(ms) })
    let n = 0
    fake.override(() => (n++ < 3 ? { status: 429, body: "" } : undefined))
    await client.getMyUsedLinks({})
    // random() = 0.5 → half of 1000, 2000, 4000
    expect(sleeps).toEqual([500, 1000, 2000])
  })

  it("gives up after the attempt budget with a sentence about the rate limit", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ status: 429, body: envelope([], false, "API rate limit exceeded") }))
    const error = await client.getMyUsedLinks({}).catch((e) => e)
    expect(error).toBeInstanceOf(SecPaidApiError)
    expect(error.message).toMatch(/rate limit .* wait a minute/)
    expect(fake.calls).toHaveLength(6)
  })

  it("does not retry createLink on a 5xx: the link may exist", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ status: 502, body: "<html>bad gateway</html>" }))
    const error: SecPaidApiError = await client.createLink(linkArgs).catch((e) => e)
    expect(fake.callsTo("createLink")).toHaveLength(1)
    expect(error.outcomeUnknown).toBe(true)
    expect(error.message).toContain("request id kong-req-1")
    expect(error.message).toContain("HTTP 502")
  })

  it("does not retry createLink or refundPayment on a timeout", async () => {
    const { fake, client } = setup()
    fake.override(() => "timeout")
    const e1: SecPaidApiError = await client.createLink(linkArgs).catch((e) => e)
    const e2: SecPaidApiError = (await client.refundPayment({ payId: "1", refundAmount: "1.00", isFullRefund: false }).catch((e: SecPaidApiError) => e)) as SecPaidApiError
    expect([e1.failure, e2.failure]).toEqual(["timeout", "timeout"])
    expect(e1.message).toMatch(/did not answer createLink within 1000 ms/)
    expect(fake.calls).toHaveLength(2)
  })

  it("retries reads on 5xx, timeouts and network errors", async () => {
    const { fake, client } = setup()
    const replies = [{ status: 500, body: {} }, "timeout", "refused"] as const
    let n = 0
    fake.override(() => (n < replies.length ? replies[n++] : undefined) as never)
    await expect(client.getPayInTransactions({ payId: "1" })).resolves.toEqual([])
    expect(fake.calls).toHaveLength(4)
  })
})

describe("SecPaidClient errors", () => {
  it("carries ResponseMsg, HTTP status and request id, and never the API key", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ status: 401, body: envelope([], false, `Incorrect token or missing token: ${FAKE_KEY}`) }))
    const error: SecPaidApiError = await client.getPayInTransactions({ payId: "1" }).catch((e) => e)
    expect(error).toBeInstanceOf(SecPaidApiError)
    expect(error.gatewayMessage).toBe("Incorrect token or missing token: [redacted]")
    expect(error.httpStatus).toBe(401)
    expect(error.requestId).toBe("kong-req-1")
    expect(error.message).toMatch(/^SecPaid refused the API key at getPayInTransactions; check the apiKey option/)
    expect(JSON.stringify(error)).not.toContain(FAKE_KEY)
    expect(String(error.stack)).not.toContain(FAKE_KEY)
  })

  it("treats ResponseCode 0 on HTTP 200 as a refusal with the gateway's words", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ body: envelope([], false, "Amount is required") }))
    const error: SecPaidApiError = await client.createLink(linkArgs).catch((e) => e)
    expect(error.failure).toBe("rejected")
    expect(error.outcomeUnknown).toBe(false)
    expect(error.message).toBe('SecPaid refused createLink (SecPaid said: "Amount is required", HTTP 200, request id kong-req-1).')
  })

  it("reports a non-envelope 2xx body as an invalid response", async () => {
    const { fake, client } = setup()
    fake.override(() => ({ body: "<html>login</html>" }))
    const error: SecPaidApiError = await client.getMyUnusedLinks({}).catch((e) => e)
    expect(error.failure).toBe("invalid_response")
    expect(error.message).toMatch(/not its documented envelope; check baseUrl/)
  })

})

describe("SecPaidClient request budget", () => {
  function recordingBudget() {
    const spent: Array<{ key: string; priority: GatewayCallPriority }> = []
    return { spent, budget: { acquire: async (key: string, priority: GatewayCallPriority) => void spent.push({ key, priority }) } }
  }

  it("spends one request per attempt, keyed by a hash of the API key, at the priority of the gateway call", async () => {
    const { spent, budget } = recordingBudget()
    const fake = new FakeSecPaid()
    let n = 0
    fake.override((c) => (c.endpoint === "getMyUsedLinks" && n++ === 0 ? { status: 500, body: {} } : undefined))
    const client = new SecPaidClient({ apiKey: FAKE_KEY, baseUrl: "https://x/", timeoutMs: 1000, adapter: fake.adapter, budget, sleep: noSleep })
    await client.getMyUsedLinks({})
    await runGatewayCall({ priority: "anonymous" }, () => client.getMyUnusedLinks({}))
    await runGatewayCall({ priority: "background" }, () => client.getPayInTransactions({ since: 1 }))
    expect(spent.map((s) => s.priority)).toEqual(["verification", "verification", "anonymous", "background"])
    expect(new Set(spent.map((s) => s.key)).size).toBe(1)
    expect(spent[0].key).toMatch(/^secpaid:[0-9a-f]{16}$/)
    expect(spent[0].key).not.toContain(FAKE_KEY)
  })

  it("spends as checkout for the calls that create, delete or refund, whatever the caller's priority", async () => {
    const { spent, budget } = recordingBudget()
    const fake = new FakeSecPaid()
    const client = new SecPaidClient({ apiKey: FAKE_KEY, baseUrl: "https://x/", timeoutMs: 1000, adapter: fake.adapter, budget, sleep: noSleep })
    await runGatewayCall({ priority: "background" }, async () => {
      const link = await client.createLink(linkArgs)
      await client.createSplitLink({ ...linkArgs, recipients: [{ token: "rcpt_tok", share: "10" }], splitType: "normal" })
      await client.deleteLink(link.payId)
      await client.refundPayment({ payId: "1", refundAmount: "1.00", isFullRefund: false }).catch(() => undefined)
    })
    expect(spent.map((s) => s.priority)).toEqual(["checkout", "checkout", "checkout", "checkout"])
  })

  it("refuses a call that gets no request in time with budget_exhausted, sends nothing, retries nothing and warns once without the key", async () => {
    const fake = new FakeSecPaid()
    const { logger, lines } = recordingLogger()
    const budget = new RequestBudget({
      ...DEFAULT_SECPAID_BUDGET_POLICY,
      maxWaitMs: { ...DEFAULT_SECPAID_BUDGET_POLICY.maxWaitMs, verification: 0 },
      limit: 11,
      windowMs: 60_000,
      store: new MemorySlotStore(() => 0),
      now: () => 0,
      sleep: async () => undefined,
    })
    const client = new SecPaidClient({ apiKey: FAKE_KEY, baseUrl: "https://x/", timeoutMs: 1000, adapter: fake.adapter, budget, logger, sleep: noSleep })
    // 11 slots, 10 kept for checkout: one verification call goes through, the next must wait and may not.
    await client.getPayInTransactions({ payId: "1" })
    const errors: SecPaidApiError[] = []
    for (let i = 0; i < 2; i++) errors.push(await client.getPayInTransactions({ payId: "1" }).catch((e) => e))
    expect(fake.calls).toHaveLength(1)
    for (const error of errors) {
      expect(error).toBeInstanceOf(SecPaidApiError)
      expect(error).toMatchObject({ failure: "budget_exhausted", retryable: false, outcomeUnknown: false })
    }
    expect(errors[0].message).toBe(
      "This store has used SecPaid's 60 requests a minute, so the payment check (getPayInTransactions) is postponed; try again in a minute."
    )
    const warnings = lines.filter((l) => l.level === "warn")
    expect(warnings.map((l) => l.message)).toEqual([
      "SecPaid getPayInTransactions (verification) was not sent because this store's 60 SecPaid requests a minute are spent and no request came free within 0 ms; it can be tried again in a minute.",
    ])
    expect(JSON.stringify(lines)).not.toContain(FAKE_KEY)
    // Checkout still has its reserve.
    await expect(client.createLink(linkArgs)).resolves.toMatchObject({ payId: "1000" })
  })
})
