import { SlidingWindowRateLimiter } from "../../../lib/rate-limit"
import { SecPaidApiError, SecPaidClient } from "../client"
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
    limiter: new SlidingWindowRateLimiter({ limit: 1000, windowMs: 60_000 }),
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

  it("rate-limits per key through the limiter, keyed by a hash rather than the key", async () => {
    const keys: string[] = []
    const limiter = new SlidingWindowRateLimiter({ limit: 60, windowMs: 60_000 })
    const acquire = limiter.acquire.bind(limiter)
    limiter.acquire = (key: string) => {
      keys.push(key)
      return acquire(key)
    }
    const fake = new FakeSecPaid()
    const client = new SecPaidClient({ apiKey: FAKE_KEY, baseUrl: "https://x/", timeoutMs: 1000, adapter: fake.adapter, limiter, sleep: noSleep })
    await client.getMyUsedLinks({})
    await client.getMyUnusedLinks({})
    expect(keys).toHaveLength(2)
    expect(keys[0]).toBe(keys[1])
    expect(keys[0]).not.toContain(FAKE_KEY)
    expect(limiter.remaining(keys[0])).toBe(58)
  })
})
