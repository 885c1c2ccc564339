import { AxiosError, type AxiosAdapter, type InternalAxiosRequestConfig } from "axios"
import { GatewayError } from "../../../lib/errors"
import { PayInClient } from "../client"

/** A fake HTTP layer: each request takes the next scripted answer; the network is never used. */
type Scripted = { status: number; body?: unknown; headers?: Record<string, string> } | { networkError: string }

function fakeHttp(script: Scripted[]) {
  const requests: InternalAxiosRequestConfig[] = []
  const adapter: AxiosAdapter = async (config) => {
    requests.push(config)
    const next = script.shift()
    if (!next) throw new Error(`unexpected request ${config.method} ${config.url}`)
    if ("networkError" in next) throw new AxiosError("socket hang up", next.networkError, config)
    return { status: next.status, statusText: "", data: next.body, headers: next.headers ?? {}, config }
  }
  return { adapter, requests }
}

const API_KEY = "pk_test_client_secret_key"
const warnings: string[] = []
const logger = { warn: (m: string) => warnings.push(m), error: (m: string) => warnings.push(m) }

function client(script: Scripted[]) {
  const http = fakeHttp(script)
  const c = new PayInClient({
    apiKey: API_KEY,
    baseUrl: "https://payin.test/api/v1",
    timeoutMs: 5000,
    logger,
    adapter: http.adapter,
    retry: { attempts: 4, baseDelayMs: 1, maxDelayMs: 1, sleep: async () => undefined },
  })
  return { c, requests: http.requests }
}

const row = (over: Record<string, unknown> = {}) => ({
  id: "11111111-2222-4333-8444-555555555555",
  order_reference: "payses_01",
  amount: "32.25",
  token: "USDC",
  chain: "ethereum-sepolia",
  address: "0xabc",
  status: "pending",
  confirmed_received: "0",
  created_at: "2026-11-21T22:00:00.000Z",
  url: "https://payin.test/pay/1",
  ...over,
})

const createInput = { orderReference: "payses_01", amount: "32.25", currency: "USDC", chainId: "ethereum-sepolia" }

beforeEach(() => {
  warnings.length = 0
})

describe("PayInClient", () => {
  it("sends Bearer auth and unwraps the success envelope", async () => {
    const { c, requests } = client([{ status: 200, body: { success: true, data: row() } }])
    const order = await c.getOrder("11111111-2222-4333-8444-555555555555")
    expect(order.status).toBe("pending")
    expect(requests[0].headers.Authorization).toBe(`Bearer ${API_KEY}`)
    expect(requests[0].url).toBe("orders/11111111-2222-4333-8444-555555555555")
  })

  it("accepts a bare row without envelope", async () => {
    const { c } = client([{ status: 200, body: row({ status: "completed", confirmed_received: "32.25" }) }])
    expect((await c.getOrder("x")).confirmedReceived).toBe("32.25")
  })

  it("retries 5xx and network errors, then succeeds", async () => {
    const { c, requests } = client([
      { status: 500, body: { error: "Internal", message: "db down" } },
      { networkError: "ECONNRESET" },
      { status: 503, body: "" },
      { status: 200, body: { success: true, data: row() } },
    ])
    await expect(c.getOrder("x")).resolves.toMatchObject({ id: row().id })
    expect(requests).toHaveLength(4)
    expect(warnings.filter((w) => w.includes("retrying"))).toHaveLength(3)
  })

  it.each([400, 401, 403, 404, 409, 429])("never retries HTTP %i", async (status) => {
    const { c, requests } = client([
      { status, body: { success: false, error: "E", code: "SOME_CODE", message: "nope" } },
      { status: 200, body: { success: true, data: row() } },
    ])
    const error = await c.getOrder("x").catch((e) => e)
    expect(error).toBeInstanceOf(GatewayError)
    expect(error.httpStatus).toBe(status)
    expect(error.gatewayCode).toBe("SOME_CODE")
    expect(error.message).toContain('PayIn said: "nope"')
    expect(requests).toHaveLength(1)
  })

  it("gives up after the configured attempts with a retryable error", async () => {
    const { c, requests } = client([{ status: 502 }, { status: 502 }, { status: 502 }, { status: 502 }, { status: 200 }])
    const error = await c.getOrder("x").catch((e) => e)
    expect(error).toBeInstanceOf(GatewayError)
    expect(error.retryable).toBe(true)
    expect(requests).toHaveLength(4)
  })

  it("turns ADDRESS_POOL_EXHAUSTED into a clear retryable error without retrying it", async () => {
    const { c, requests } = client([
      { status: 409, body: { success: false, error: "Conflict", code: "ADDRESS_POOL_EXHAUSTED", message: "No available addresses in pool for protocol: evm" } },
    ])
    const error = await c.createOrder(createInput).catch((e) => e)
    expect(error.gatewayCode).toBe("ADDRESS_POOL_EXHAUSTED")
    expect(error.retryable).toBe(true)
    expect(error.message).toMatch(/no free payment address right now; please try again in a few minutes/)
    expect(requests).toHaveLength(1)
  })

  it("after an unanswered POST /orders, reuses the order PayIn already created instead of creating a second", async () => {
    const { c, requests } = client([
      { networkError: "ETIMEDOUT" },
      {
        status: 200,
        body: {
          success: true,
          data: [
            row({ id: "aaaaaaaa-0000-4000-8000-000000000001", order_reference: "payses_010" }),
            row({ id: "aaaaaaaa-0000-4000-8000-000000000002", amount: "10.00", created_at: "2026-11-21T21:00:00.000Z" }),
            row({ id: "aaaaaaaa-0000-4000-8000-000000000003" }),
          ],
          pagination: { page: 1, limit: 100, total: 3, totalPages: 1 },
        },
      },
    ])
    const order = await c.createOrder(createInput)
    expect(order.id).toBe("aaaaaaaa-0000-4000-8000-000000000003")
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(["post orders", "get orders"])
    expect(requests[1].params).toEqual({ orderReference: "payses_01", limit: 100 })
  })

  it("creates the order again when the lookup finds none", async () => {
    const { c, requests } = client([
      { status: 500, body: { success: false, code: "ORDER_CREATION_FAILED", message: "failed" } },
      { status: 200, body: { success: true, data: [] } },
      { status: 201, body: { success: true, data: { orderId: row().id, orderReference: "payses_01", status: "pending", amount: "32.25" } } },
    ])
    await expect(c.createOrder(createInput)).resolves.toMatchObject({ id: row().id })
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual(["post orders", "get orders", "post orders"])
  })

  it("does not retry POST /orders after a 4xx", async () => {
    const { c, requests } = client([{ status: 400, body: { success: false, code: "ORDER_AMOUNT_FORMAT_INVALID", message: "bad amount" } }])
    await expect(c.createOrder(createInput)).rejects.toMatchObject({ gatewayCode: "ORDER_AMOUNT_FORMAT_INVALID" })
    expect(requests).toHaveLength(1)
  })

  it("filters the server's partial reference match down to exact matches", async () => {
    const { c } = client([
      { status: 200, body: { success: true, data: [row({ order_reference: "PAYSES_01" }), row({ order_reference: "payses_01x" }), row()] } },
    ])
    expect((await c.findOrdersByReference("payses_01")).map((o) => o.orderReference)).toEqual(["payses_01"])
  })

  it("never puts the API key in errors or logs", async () => {
    const { c } = client([
      { status: 500, body: { error: "x", message: `bad key ${API_KEY}` } },
      { status: 401, body: { error: "Unauthorized", message: `Invalid API key ${API_KEY}` } },
    ])
    const error = await c.getOrder("x").catch((e) => e)
    expect(error.message).not.toContain(API_KEY)
    expect(error.message).toContain("[redacted]")
    expect(warnings.join("\n")).not.toContain(API_KEY)
  })

  it("refuses a success body it cannot read", async () => {
    const { c } = client([{ status: 200, body: { success: true, data: { nothing: 1 } } }])
    await expect(c.getOrder("x")).rejects.toThrow(/cannot read/)
  })
  describe("listOrders", () => {
    const camel = {
      orderId: "99999999-2222-4333-8444-555555555555",
      orderReference: "payses_02",
      amount: "10.5",
      currency: "usdt",
      chainId: "tron-nile",
      status: "COMPLETED",
      confirmedReceived: "10.5",
      createdAt: "2026-11-21T22:01:00.000Z",
    }

    it("sends the status comma list, page and limit, and reads rows in either casing with the pagination", async () => {
      const { c, requests } = client([
        {
          status: 200,
          body: { success: true, data: [row({ status: "expired" }), camel], pagination: { page: 2, limit: 100, total: 102, totalPages: 2 } },
        },
      ])
      const page = await c.listOrders({ status: ["completed", "expired"], page: 2, limit: 100, createdAfter: "2026-11-21T00:00:00.000Z", sortOrder: "asc" })
      expect(requests[0].method).toBe("get")
      expect(requests[0].url).toBe("orders")
      expect(requests[0].params).toEqual({
        status: "completed,expired",
        page: 2,
        limit: 100,
        createdAfter: "2026-11-21T00:00:00.000Z",
        sortBy: "created_at",
        sortOrder: "asc",
      })
      expect(page).toMatchObject({ page: 2, totalPages: 2, total: 102 })
      expect(page.orders).toEqual([
        expect.objectContaining({ id: row().id, orderReference: "payses_01", status: "expired", confirmedReceived: "0" }),
        expect.objectContaining({ id: camel.orderId, orderReference: "payses_02", status: "completed", token: "USDT", chainId: "tron-nile", confirmedReceived: "10.5" }),
      ])
    })

    it("caps limit at 100 and defaults page 1 and limit 100", async () => {
      const { c, requests } = client([
        { status: 200, body: { success: true, data: [] } },
        { status: 200, body: { success: true, data: [] } },
      ])
      expect(await c.listOrders({ status: "completed", limit: 500 })).toEqual({ orders: [], page: 1, totalPages: undefined, total: undefined })
      await c.listOrders()
      expect(requests.map((r) => r.params)).toEqual([{ status: "completed", page: 1, limit: 100 }, { page: 1, limit: 100 }])
    })

    it("retries network errors and 5xx (a read), never a 4xx", async () => {
      const retried = client([{ networkError: "ECONNRESET" }, { status: 502 }, { status: 200, body: { success: true, data: [row()] } }])
      expect((await retried.c.listOrders({ status: "pending" })).orders).toHaveLength(1)
      expect(retried.requests).toHaveLength(3)

      const refused = client([{ status: 400, body: { success: false, error: "Validation", message: "bad status" } }, { status: 200 }])
      await expect(refused.c.listOrders({ status: "nonsense" })).rejects.toMatchObject({ httpStatus: 400 })
      expect(refused.requests).toHaveLength(1)
    })

    it("skips unreadable rows with a warning and refuses a body that is not a list", async () => {
      const { c } = client([
        { status: 200, body: { success: true, data: [row(), { id: "no-reference", status: "completed", amount: "1" }] } },
        { status: 200, body: { success: true, data: { nothing: 1 } } },
      ])
      expect((await c.listOrders()).orders.map((o) => o.id)).toEqual([row().id])
      expect(warnings.join("\n")).toMatch(/1 row\(s\) that are not readable/)
      await expect(c.listOrders()).rejects.toThrow(/cannot read/)
    })
  })
})
