import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SANDBOX_PAYIN_API_KEY as KEY, SANDBOX_SECPAID_DEV_KEY as DEV } from "../credentials"
import type { RunningSandbox } from "../server"
import { SandboxControl } from "../control-client"
import { payin, secpaid, startTestSandbox } from "./helpers"

describe("control API: faults, request log, reset, persistence", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  beforeAll(async () => ({ sandbox, control } = await startTestSandbox()))
  afterAll(() => sandbox.close())
  beforeEach(() => control.reset())

  it("logs gateway requests with endpoint names, status, body and headers", async () => {
    await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00", recipient_note: "logged" }, true)
    await payin(sandbox.url, "GET", "/orders", KEY)
    await payin(sandbox.url, "GET", "/orders/00000000-0000-4000-8000-000000000000", KEY)
    const secpaidLog = await control.requests({ gateway: "secpaid" })
    expect(secpaidLog).toEqual([
      expect.objectContaining({ gateway: "secpaid", method: "POST", endpoint: "createLink", status: 200, body: { amount: "1.00", recipient_note: "logged" } }),
    ])
    expect(secpaidLog[0].headers.token).toBe(DEV)
    expect(secpaidLog[0].headers["content-type"]).toBe("application/x-www-form-urlencoded")
    expect((await control.requests({ endpoint: "GET /orders/:id" })).map((r) => r.status)).toEqual([404])
    expect((await control.requests({ gateway: "payin" })).map((r) => r.endpoint)).toEqual(["GET /orders", "GET /orders/:id"])
  })

  it("answers the next N calls with 429 + Retry-After in each gateway's shape, then recovers", async () => {
    await control.injectFault({ gateway: "secpaid", endpoint: "createLink", kind: "429", count: 2, retryAfterSeconds: 7 })
    const first = await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00" })
    expect(first.status).toBe(429)
    expect(first.headers.get("retry-after")).toBe("7")
    expect(first.json).toMatchObject({ ResponseCode: 0, Result: "False" })
    // Other endpoints are not affected.
    expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).status).toBe(200)
    expect((await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00" })).status).toBe(429)
    expect((await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00" })).status).toBe(200)
    expect((await control.secpaidLinks()).length).toBe(1)

    await control.injectFault({ gateway: "payin", kind: "429" })
    const limited = await payin(sandbox.url, "GET", "/orders", KEY)
    expect(limited.status).toBe(429)
    expect(limited.json).toMatchObject({ success: false, code: "RATE_LIMIT_EXCEEDED" })
  })

  it("answers 500 without doing the work", async () => {
    await control.injectFault({ gateway: "payin", endpoint: "POST /orders", kind: "500" })
    const res = await payin(sandbox.url, "POST", "/orders", KEY, { orderReference: "r", amount: "1", currency: "USDC", chainId: "solana-devnet" })
    expect(res.status).toBe(500)
    expect(res.json).toEqual({ error: "Internal Server Error", message: expect.any(String) })
    expect(await control.payinOrders()).toEqual([])
    await control.injectFault({ gateway: "secpaid", kind: "500" })
    expect((await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00" })).status).toBe(500)
    expect((await control.requests({ endpoint: "createLink" }))[0]).toMatchObject({ status: 500, fault: "500" })
  })

  it("hangs past the client's timeout; with afterProcessing the link exists although no answer came", async () => {
    await control.injectFault({ gateway: "secpaid", endpoint: "createLink", kind: "hang", afterProcessing: true })
    const call = fetch(`${sandbox.url}/secpaid/api/v2/createLink`, {
      method: "POST",
      headers: { token: DEV, "content-type": "application/json" },
      body: JSON.stringify({ amount: "4.00", recipient_note: "timed_out" }),
      signal: AbortSignal.timeout(200),
    })
    await expect(call).rejects.toThrow()
    const found = await secpaid(sandbox.url, "getMyUnusedLinks", DEV, { search: "timed_out" })
    expect(found.json.data).toHaveLength(1)
    expect((await control.requests({ endpoint: "createLink" }))[0]).toMatchObject({ status: 0, fault: "hang" })
  })

  it("closes a hung socket after delayMs without an answer", async () => {
    await control.injectFault({ gateway: "payin", kind: "hang", delayMs: 50 })
    await expect(payin(sandbox.url, "GET", "/orders", KEY)).rejects.toThrow()
  })

  it("answers slowly but correctly: a later, unfaulted call overtakes it", async () => {
    await control.injectFault({ gateway: "payin", endpoint: "GET /health", kind: "slow", delayMs: 300 })
    const order: string[] = []
    const slow = fetch(`${sandbox.url}/payin/health`).then((r) => (order.push("slow"), r.status))
    const fast = payin(sandbox.url, "GET", "/orders", KEY).then((r) => (order.push("fast"), r.status))
    expect(await Promise.all([slow, fast])).toEqual([200, 200])
    expect(order).toEqual(["fast", "slow"])
    expect((await control.requests({ endpoint: "GET /health" }))[0]).toMatchObject({ status: 200, fault: "slow" })
  })

  it("refuses malformed control requests with a 400 that says what was wrong", async () => {
    await expect(control.injectFault({ gateway: "nowhere" as "payin", kind: "500" })).rejects.toThrow(/gateway/)
    await expect(control.secpaidPay("123456")).rejects.toThrow(/No SecPaid link/)
    await expect(control.payinTransfer("nope", { amount: "1" })).rejects.toThrow(/No PayIn order/)
    const raw = await fetch(`${sandbox.url}/__control/faults`, { method: "POST", headers: { "content-type": "application/json" }, body: "{" })
    expect(raw.status).toBe(400)
  })

  it("survives garbage on every route without crashing", async () => {
    const junk = ["{", "[]", "null", "a=b&&&=", "\u0000\u0001", '{"amount":{"x":1}}']
    const paths = ["/secpaid/api/v2/createLink", "/secpaid/api/v2/createSplitLink", "/secpaid/api/v2/refundPayment", "/payin/api/v1/orders", "/secpaid/payment/pay", "/payin/pay/x/transfer", "/__control/clock/advance"]
    for (const path of paths) {
      for (const body of junk) {
        const res = await fetch(`${sandbox.url}${path}`, { method: "POST", headers: { token: DEV, authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body })
        expect(res.status).toBeLessThan(500)
      }
    }
    expect((await fetch(`${sandbox.url}/payin/health`)).status).toBe(200)
  })

  it("resets everything", async () => {
    await secpaid(sandbox.url, "createLink", DEV, { amount: "1.00" })
    await control.advanceClock(100)
    await control.injectFault({ gateway: "secpaid", kind: "500", count: 5 })
    await control.reset()
    expect(await control.secpaidLinks()).toEqual([])
    expect(await control.requests()).toEqual([])
    expect((await control.clock()).offsetSeconds).toBe(0)
    expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).status).toBe(200)
  })
})

describe("persistence", () => {
  it("keeps links, pay-in rows and orders across a restart when given a state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sandbox-state-"))
    const file = join(dir, "state.json")
    try {
      const first = await startTestSandbox({ persistFile: file })
      const link = (await secpaid(first.sandbox.url, "createLink", DEV, { amount: "9.99", recipient_note: "persisted" })).json.data
      await first.control.secpaidPay(link.id)
      const order = (await payin(first.sandbox.url, "POST", "/orders", KEY, { orderReference: "p1", amount: "5", currency: "USDT", chainId: "tron-nile" })).json.data
      await first.sandbox.close()

      const second = await startTestSandbox({ persistFile: file })
      try {
        const rows = (await secpaid(second.sandbox.url, "getPayInTransactions", DEV, { pay_id: link.id })).json.data
        expect(rows).toEqual([expect.objectContaining({ amount: "9.99", status: "Success" })])
        expect((await payin(second.sandbox.url, "GET", `/orders/${order.orderId}`, KEY)).json.data.order_reference).toBe("p1")
        const next = (await secpaid(second.sandbox.url, "createLink", DEV, { amount: "1.00" })).json.data.id
        expect(Number(next)).toBe(Number(link.id) + 1)
      } finally {
        await second.sandbox.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
