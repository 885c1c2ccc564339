import { payInErrorBodySchema, payInOrderSchema } from "../responses"
import { parsePayInWebhook, payInRawBodyBytes } from "../parse-webhook"

const ORDER_ID = "8d3c7e0a-1b2c-4d5e-8f90-123456789abc"

describe("payInOrderSchema reads both casings into one PayInOrder", () => {
  it("reads the documented camelCase create response", () => {
    const order = payInOrderSchema.parse({
      orderId: ORDER_ID,
      orderReference: "payses_01",
      status: "pending",
      amount: "32.25",
      currency: "USDC",
      chainId: "ethereum-sepolia",
      paymentAddress: "0xabc",
      paymentUrl: "https://payin.test/pay/1",
      expiresAt: "2026-11-21T23:00:00.000Z",
      createdAt: "2026-11-21T22:45:00.000Z",
    })
    expect(order).toEqual({
      id: ORDER_ID,
      orderReference: "payses_01",
      status: "pending",
      amount: "32.25",
      confirmedReceived: "0",
      token: "USDC",
      chainId: "ethereum-sepolia",
      address: "0xabc",
      paymentUrl: "https://payin.test/pay/1",
      expiresAt: "2026-11-21T23:00:00.000Z",
      completedAt: undefined,
      createdAt: "2026-11-21T22:45:00.000Z",
      metadata: undefined,
    })
  })

  it("reads the server's snake_case row, keeping amounts as decimal strings", () => {
    const order = payInOrderSchema.parse({
      id: ORDER_ID,
      order_reference: "payses_01",
      amount: "32.250000",
      token: "usdc",
      chain: "ethereum-sepolia",
      address: "0xdef",
      required_confirmations: 3,
      status: "COMPLETED",
      created_at: "2026-11-21T22:45:00.000Z",
      payment_window_ends_at: "2026-11-21T22:55:00.000Z",
      grace_period_ends_at: "2026-11-21T23:00:00.000Z",
      first_transfer_detected_at: null,
      completed_at: "2026-11-21T22:50:00.000Z",
      confirmed_received: "32.250000000000000001",
      metadata: { session_id: "payses_01" },
      success_url: null,
      cancel_url: null,
      url: "https://payin.test/pay/2",
    })
    expect(order).toMatchObject({
      id: ORDER_ID,
      orderReference: "payses_01",
      status: "completed",
      amount: "32.250000",
      confirmedReceived: "32.250000000000000001",
      token: "USDC",
      chainId: "ethereum-sepolia",
      address: "0xdef",
      paymentUrl: "https://payin.test/pay/2",
      expiresAt: "2026-11-21T23:00:00.000Z",
      completedAt: "2026-11-21T22:50:00.000Z",
      metadata: { session_id: "payses_01" },
    })
  })

  it("accepts numeric amounts through their decimal text and refuses non-amounts", () => {
    expect(payInOrderSchema.parse({ id: "o", order_reference: "r", status: "pending", amount: 49.99 }).amount).toBe("49.99")
    expect(payInOrderSchema.safeParse({ id: "o", order_reference: "r", status: "pending", amount: "-1" }).success).toBe(false)
    expect(payInOrderSchema.safeParse({ id: "o", order_reference: "r", status: "pending", amount: "1e3" }).success).toBe(false)
  })

  it("refuses an order without id or reference", () => {
    expect(payInOrderSchema.safeParse({ order_reference: "r", status: "pending", amount: "1" }).success).toBe(false)
    expect(payInOrderSchema.safeParse({ id: "o", status: "pending", amount: "1" }).success).toBe(false)
  })
})

describe("payInErrorBodySchema", () => {
  it("reads the documented envelope and the bare {error, message} body", () => {
    expect(
      payInErrorBodySchema.parse({ success: false, error: "Conflict", code: "ADDRESS_POOL_EXHAUSTED", message: "No addresses", suggestions: [] })
    ).toEqual({ code: "ADDRESS_POOL_EXHAUSTED", error: "Conflict", message: "No addresses", requestId: undefined })
    expect(payInErrorBodySchema.parse({ error: "Unauthorized", message: "Invalid API key" })).toMatchObject({
      code: undefined,
      message: "Invalid API key",
    })
    expect(payInErrorBodySchema.parse({ error: "Not Found" }).message).toBe("Not Found")
  })
})

describe("parsePayInWebhook", () => {
  it("reads server snake_case events", () => {
    const raw = Buffer.from(
      JSON.stringify({ id: "evt_order_completed_x", type: "order.completed", created_at: "t", data: { order_id: ORDER_ID, order_reference: "payses_01", status: "completed" } })
    )
    expect(parsePayInWebhook(raw)).toEqual({
      ok: true,
      event: { id: "evt_order_completed_x", type: "order.completed", createdAt: "t", orderId: ORDER_ID, orderReference: "payses_01", status: "completed", reason: undefined },
    })
  })

  it("reads documented camelCase events and takes the id from the header when the body has none", () => {
    const raw = Buffer.from(JSON.stringify({ type: "order.expired", createdAt: "t", data: { orderId: ORDER_ID, orderReference: "payses_02" } }))
    const parsed = parsePayInWebhook(raw, { "X-PayIn-Event-Id": "evt_from_header" })
    expect(parsed).toMatchObject({ ok: true, event: { id: "evt_from_header", type: "order.expired", orderId: ORDER_ID, orderReference: "payses_02" } })
  })

  it("refuses bodies that are not events", () => {
    expect(parsePayInWebhook(Buffer.from("not json")).ok).toBe(false)
    expect(parsePayInWebhook(Buffer.from(JSON.stringify({ data: {} }))).ok).toBe(false)
  })
})

describe("payInRawBodyBytes", () => {
  it("accepts a Buffer and the Redis event bus form, and nothing else", () => {
    const bytes = Buffer.from('{"a":1}')
    expect(payInRawBodyBytes(bytes)).toBe(bytes)
    expect(payInRawBodyBytes(JSON.parse(JSON.stringify(bytes)))!.equals(bytes)).toBe(true)
    expect(payInRawBodyBytes('{"a":1}')).toBeUndefined()
    expect(payInRawBodyBytes({ a: 1 })).toBeUndefined()
    expect(payInRawBodyBytes(undefined)).toBeUndefined()
  })
})
