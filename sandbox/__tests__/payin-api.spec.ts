import { SANDBOX_PAYIN_API_KEY as KEY } from "../credentials"
import type { RunningSandbox } from "../server"
import type { SandboxControl } from "../control-client"
import { payin, startTestSandbox } from "./helpers"

describe("PayIn API", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  beforeAll(async () => ({ sandbox, control } = await startTestSandbox()))
  afterAll(() => sandbox.close())
  beforeEach(() => control.reset())

  const order = (extra: Record<string, unknown> = {}) => ({
    orderReference: "order_1",
    amount: "32.25",
    currency: "USDC",
    chainId: "ethereum-sepolia",
    successUrl: "https://shop.example/ok",
    cancelUrl: "https://shop.example/cancel",
    ...extra,
  })
  const create = (body: unknown) => payin(sandbox.url, "POST", "/orders", KEY, body)

  it("answers 401 {error, message} without a `success` field for a missing or wrong key, and for X-API-Key", async () => {
    const missing = await payin(sandbox.url, "GET", "/orders", undefined)
    expect(missing.status).toBe(401)
    expect(missing.json).toEqual({ error: "Unauthorized", message: expect.any(String) })
    expect((await payin(sandbox.url, "GET", "/orders", "pk_wrong")).status).toBe(401)
    const xApiKey = await fetch(`${sandbox.url}/payin/api/v1/orders`, { headers: { "x-api-key": KEY } })
    expect(xApiKey.status).toBe(401)
  })

  it("creates an order: 201, camelCase data, UUID id, expiresAt at the end of the grace period", async () => {
    const res = await create(order({ paymentWindowMinutes: 20, graceMinutes: 3, metadata: { cart: "c1" } }))
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ success: true, message: expect.any(String) })
    const d = res.json.data
    expect(d).toMatchObject({ orderReference: "order_1", status: "pending", amount: "32.25", currency: "USDC", chainId: "ethereum-sepolia" })
    expect(d.orderId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/)
    expect(d.address).toMatch(/^0x[0-9a-f]{40}$/)
    expect(d.paymentUrl).toBe(`${sandbox.url}/payin/pay/${d.orderId}`)
    expect(Date.parse(d.expiresAt) - Date.parse(d.createdAt)).toBe(23 * 60_000)
    expect(d.qrCode).toEqual(expect.any(String))
    expect(d.deepLink).toEqual(expect.any(String))
  })

  it("returns the server's snake_case row from GET /orders/:id", async () => {
    const id = (await create(order({ metadata: { cart: "c1" } }))).json.data.orderId
    const res = await payin(sandbox.url, "GET", `/orders/${id}`, KEY)
    expect(res.status).toBe(200)
    expect(Object.keys(res.json.data).sort()).toEqual(
      [
        "id", "order_reference", "amount", "token", "chain", "address", "required_confirmations", "status", "created_at",
        "payment_window_ends_at", "grace_period_ends_at", "first_transfer_detected_at", "completed_at", "confirmed_received",
        "metadata", "success_url", "cancel_url", "url",
      ].sort()
    )
    expect(res.json.data).toMatchObject({ id, token: "USDC", chain: "ethereum-sepolia", required_confirmations: 3, confirmed_received: "0", metadata: { cart: "c1" } })
    const invalid = await payin(sandbox.url, "GET", "/orders/ord_123", KEY)
    expect(invalid.status).toBe(400)
    expect(invalid.json).toMatchObject({ success: false, code: "ORDER_ID_INVALID", suggestions: [] })
    const unknown = await payin(sandbox.url, "GET", "/orders/00000000-0000-4000-8000-000000000000", KEY)
    expect(unknown.status).toBe(404)
    expect(unknown.json.code).toBe("ORDER_NOT_FOUND")
  })

  it.each([
    [{ amount: 32.25 }, 400, "ORDER_AMOUNT_FORMAT_INVALID"],
    [{ amount: "32.2.5" }, 400, "ORDER_AMOUNT_FORMAT_INVALID"],
    [{ amount: "1e3" }, 400, "ORDER_AMOUNT_FORMAT_INVALID"],
    [{ amount: "1." + "1".repeat(19) }, 400, "ORDER_AMOUNT_FORMAT_INVALID"],
    [{ amount: undefined }, 400, "ORDER_VALIDATION_FAILED"],
    [{ amount: "0" }, 400, "ORDER_VALIDATION_FAILED"],
    [{ orderReference: "" }, 400, "ORDER_VALIDATION_FAILED"],
    [{ currency: "DAI" }, 400, "ORDER_VALIDATION_FAILED"],
    [{ chainId: undefined }, 400, "ORDER_VALIDATION_FAILED"],
    [{ chainId: "bitcoin" }, 400, "ORDER_VALIDATION_FAILED"],
    [{ currency: "USDT", chainId: "ethereum-sepolia" }, 400, "ORDER_VALIDATION_FAILED"],
    [{ successUrl: "not a url" }, 400, "ORDER_VALIDATION_FAILED"],
  ])("refuses %j with %i %s in the error envelope", async (patch, status, code) => {
    const res = await create(order(patch))
    expect(res.status).toBe(status)
    expect(res.json).toMatchObject({ success: false, error: expect.any(String), code, message: expect.any(String) })
    expect(Object.keys(res.json).sort()).toEqual(["code", "error", "message", "success", "suggestions"])
    expect(Array.isArray(res.json.suggestions)).toBe(true)
  })

  it("accepts 18 decimals, USDT on tron-nile and mainnet chains", async () => {
    expect((await create(order({ amount: "1." + "1".repeat(18) }))).status).toBe(201)
    const tron = await create(order({ currency: "USDT", chainId: "tron-nile" }))
    expect(tron.status).toBe(201)
    expect(tron.json.data.address).toMatch(/^T[1-9A-HJ-NP-Za-km-z]{33}$/)
    expect((await create(order({ currency: "USDT", chainId: "ethereum-mainnet" }))).status).toBe(201)
  })

  it("refuses a body that is not JSON with the error envelope", async () => {
    const res = await fetch(`${sandbox.url}/payin/api/v1/orders`, { method: "POST", headers: { authorization: `Bearer ${KEY}`, "content-type": "application/json" }, body: "{" })
    expect(res.status).toBe(400)
    expect((await res.json()).code).toBe("ORDER_VALIDATION_FAILED")
  })

  it("answers ADDRESS_POOL_EXHAUSTED (409) when the pool is empty, and frees addresses when orders end", async () => {
    await control.payinConfigure({ addressPoolSize: 1 })
    const first = (await create(order())).json.data.orderId
    const res = await create(order({ orderReference: "order_2" }))
    expect(res.status).toBe(409)
    expect(res.json.code).toBe("ADDRESS_POOL_EXHAUSTED")
    await control.payinTransfer(first, { amount: "32.25" })
    expect((await create(order({ orderReference: "order_2" }))).status).toBe(201)
  })

  it("refuses a duplicate orderReference only when configured as the docs describe", async () => {
    expect((await create(order())).status).toBe(201)
    expect((await create(order())).status).toBe(201)
    await control.payinConfigure({ rejectDuplicateOrderReference: true })
    const dup = await create(order())
    expect(dup.status).toBe(409)
    expect(dup.json.code).toBe("DUPLICATE_ORDER_REFERENCE")
  })

  it("lists orders with filters, partial case-insensitive orderReference and pagination capped at 100", async () => {
    for (let i = 0; i < 25; i++) await create(order({ orderReference: `Cart_${String(i).padStart(2, "0")}` }))
    await create(order({ orderReference: "other", currency: "USDT", chainId: "tron-nile" }))
    const list = (q: string) => payin(sandbox.url, "GET", `/orders${q}`, KEY)
    const first = await list("")
    expect(first.json.data).toHaveLength(20)
    expect(first.json.pagination).toEqual({ page: 1, limit: 20, total: 26, totalPages: 2 })
    expect((await list("?page=2")).json.data).toHaveLength(6)
    expect((await list("?limit=500")).json.pagination.limit).toBe(100)
    expect((await list("?orderReference=cart_0")).json.pagination.total).toBe(10)
    expect((await list("?currency=USDT")).json.data.map((o: any) => o.order_reference)).toEqual(["other"])
    expect((await list("?chainId=tron-nile")).json.pagination.total).toBe(1)
    expect((await list("?status=completed,expired")).json.pagination.total).toBe(0)
    expect((await list("?status=pending")).json.pagination.total).toBe(26)
    expect((await list("?createdAfter=2000-01-01T00:00:00Z&createdBefore=2000-01-02T00:00:00Z")).json.pagination.total).toBe(0)
    expect((await list("?createdAfter=yesterday")).status).toBe(400)
  })

  it("answers /payin/health without auth", async () => {
    const res = await fetch(`${sandbox.url}/payin/health`)
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: "ok", timestamp: expect.any(String), version: expect.any(String) })
  })
})
