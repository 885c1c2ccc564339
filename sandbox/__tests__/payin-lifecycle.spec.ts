import { createHmac } from "node:crypto"
import { SANDBOX_PAYIN_API_KEY as KEY, SANDBOX_PAYIN_WEBHOOK_SECRET as SECRET } from "../credentials"
import type { RunningSandbox } from "../server"
import type { SandboxControl } from "../control-client"
import { payInPlainSignatureHeader, payInSignatureHeader, signPayInPayload } from "../payin/webhooks"
import { eventually, payin, startReceiver, startTestSandbox } from "./helpers"

/** Known answer, derived once with node:crypto (see the sandbox README). */
const KAT = {
  secret: "whsec_test_known_answer",
  t: 1700000000,
  body: '{"id":"evt_order_completed_0b7f3c9e-1d2a-4c5b-9e8f-123456789abc","type":"order.completed"}',
  v1: "6dc75082ce2e5663e7aa36af1995f574960bdf5e2df7669d825774169f314034",
  /** hex(HMAC-SHA256(secret, body)), the plain form (openssl dgst -sha256 -hmac). */
  plain: "70a8a988ac60733b41205035105551a335c825ef9413612d9f707284ed0c6b36",
}

function verify(header: string, body: string, secret = SECRET): { t: number; valid: boolean } {
  const parts = Object.fromEntries(header.split(",").map((p) => p.split("=") as [string, string]))
  const t = Number(parts.t)
  return { t, valid: parts.v1 === createHmac("sha256", secret).update(`${t}.${body}`).digest("hex") }
}

describe("PayIn signatures", () => {
  it("matches the known-answer vector", () => {
    expect(signPayInPayload(KAT.secret, KAT.t, KAT.body)).toBe(KAT.v1)
    expect(payInSignatureHeader(KAT.secret, KAT.t, KAT.body)).toBe(`t=${KAT.t},v1=${KAT.v1}`)
  })

  it("matches the known-answer vector of the plain form", () => {
    expect(payInPlainSignatureHeader(KAT.secret, KAT.body)).toBe(KAT.plain)
  })
})

describe("PayIn order lifecycle, hosted page and webhooks", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    ;({ sandbox, control } = await startTestSandbox())
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await sandbox.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await control.reset()
    receiver.received.length = 0
    await control.payinSetWebhookEndpoints([{ url: receiver.url }])
  })

  async function createOrder(extra: Record<string, unknown> = {}) {
    const res = await payin(sandbox.url, "POST", "/orders", KEY, {
      orderReference: "order_7",
      amount: "32.25",
      currency: "USDC",
      chainId: "polygon-amoy",
      successUrl: "https://shop.example/ok?cart=c1",
      cancelUrl: "https://shop.example/cancel",
      ...extra,
    })
    expect(res.status).toBe(201)
    return res.json.data as { orderId: string; paymentUrl: string }
  }

  it("completes on a full transfer and sends a correctly signed order.completed", async () => {
    const { orderId } = await createOrder()
    const { order, deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
    expect(order).toMatchObject({ status: "completed", confirmed_received: "32.25" })
    expect(order.transfers[0]).toMatchObject({ amount: "32.25", confirmations: 10 })
    expect(deliveries).toEqual([expect.objectContaining({ gateway: "payin", status: 200, attempt: 1, eventId: `evt_order_completed_${orderId}` })])
    const hook = receiver.received[0]
    expect(hook.headers["user-agent"]).toBe("PayIn-Webhook/1.0")
    expect(hook.headers["x-payin-event-id"]).toBe(`evt_order_completed_${orderId}`)
    expect(hook.headers["x-payin-event-type"]).toBe("order.completed")
    expect(hook.headers["x-payin-delivery-id"]).toMatch(/^dlv_/)
    const sig = verify(String(hook.headers["x-payin-signature"]), hook.body)
    expect(sig.valid).toBe(true)
    expect(Math.abs(sig.t - Date.now() / 1000)).toBeLessThan(300)
    const event = JSON.parse(hook.body)
    expect(event).toMatchObject({
      id: `evt_order_completed_${orderId}`,
      type: "order.completed",
      created_at: expect.any(String),
      data: {
        order_id: orderId,
        order_reference: "order_7",
        status: "completed",
        amount: "32.25",
        currency: "USDC",
        chain_id: "polygon-amoy",
        payment_address: order.address,
        txHash: order.transfers[0].txHash,
        confirmations: 10,
        completed_at: order.completed_at,
        confirmed_received: "32.25",
      },
    })
    const row = (await payin(sandbox.url, "GET", `/orders/${orderId}`, KEY)).json.data
    expect(row).toMatchObject({ status: "completed", confirmed_received: "32.25", completed_at: expect.any(String), first_transfer_detected_at: expect.any(String) })
  })

  it("stays pending after a partial transfer (transfer.detected) and expires at grace end even though part arrived", async () => {
    const { orderId } = await createOrder({ paymentWindowMinutes: 10, graceMinutes: 5 })
    const partial = await control.payinTransfer(orderId, { amount: "16.125" })
    expect(partial.order).toMatchObject({ status: "pending", confirmed_received: "16.125" })
    expect(partial.deliveries.map((d) => d.eventType)).toEqual(["transfer.detected"])
    expect((await control.advanceClock(14 * 60)).deliveries).toEqual([])
    expect((await control.payinOrder(orderId)).status).toBe("pending")
    const { deliveries } = await control.advanceClock(61)
    expect(deliveries.map((d) => [d.eventType, d.eventId])).toEqual([["order.expired", `evt_order_expired_${orderId}`]])
    const expired = JSON.parse(deliveries[0].body)
    expect(expired.data).toMatchObject({ status: "expired", confirmed_received: "16.125", expired_at: expect.any(String) })
    expect(verify(deliveries[0].headers["x-payin-signature"], deliveries[0].body).valid).toBe(true)
    const row = (await payin(sandbox.url, "GET", `/orders/${orderId}`, KEY)).json.data
    expect(row).toMatchObject({ status: "expired", confirmed_received: "16.125", completed_at: null })
  })

  it("completes on an overpayment and records what arrived", async () => {
    const { orderId } = await createOrder()
    const { order } = await control.payinTransfer(orderId, { amount: "35.475" })
    expect(order).toMatchObject({ status: "completed", confirmed_received: "35.475" })
  })

  it("completes when several transfers add up to the amount, exactly", async () => {
    const { orderId } = await createOrder({ amount: "0.3" })
    await control.payinTransfer(orderId, { amount: "0.1" })
    await control.payinTransfer(orderId, { amount: "0.1" })
    expect((await control.payinOrder(orderId)).status).toBe("pending")
    const { order } = await control.payinTransfer(orderId, { amount: "0.1" })
    expect(order).toMatchObject({ status: "completed", confirmed_received: "0.3" })
  })

  it("offers full, partial and over-payment buttons on the hosted page and redirects to successUrl with the documented query", async () => {
    const { orderId, paymentUrl } = await createOrder()
    const html = await (await fetch(paymentUrl)).text()
    expect(html).toContain("Send 32.25 USDC (full)")
    expect(html).toContain("Send 16.125 USDC (partial)")
    expect(html).toContain("Send 35.475 USDC (overpay)")
    const half = await fetch(`${paymentUrl}/transfer`, { method: "POST", body: new URLSearchParams({ kind: "half" }), redirect: "manual" })
    expect(half.status).toBe(303)
    expect(half.headers.get("location")).toBe(`/payin/pay/${orderId}`)
    const rest = await fetch(`${paymentUrl}/transfer`, { method: "POST", body: new URLSearchParams({ kind: "full" }), redirect: "manual" })
    const location = new URL(rest.headers.get("location")!)
    expect(`${location.origin}${location.pathname}`).toBe("https://shop.example/ok")
    expect(Object.fromEntries(location.searchParams)).toEqual({
      cart: "c1",
      order_reference: "order_7",
      status: "completed",
      amount: "32.25",
      currency: "USDC",
      chain_id: "polygon-amoy",
      completed_at: expect.any(String),
    })
    expect((await control.payinOrder(orderId)).confirmed_received).toBe("32.25")
    const custom = await fetch(`${paymentUrl}/transfer`, { method: "POST", body: new URLSearchParams({ kind: "custom", amount: "abc" }), redirect: "manual" })
    expect(custom.status).toBe(400)
  })

  it("retries on 5xx with the configured delays and keeps the event id, but never retries a 4xx", async () => {
    const flaky = await startReceiver((n) => (n <= 2 ? 503 : 200))
    const rejecting = await startReceiver(() => 400)
    try {
      await control.payinSetWebhookEndpoints([{ url: flaky.url }, { url: rejecting.url }])
      const { orderId } = await createOrder()
      const { deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
      expect(deliveries.map((d) => d.status)).toEqual([503, 400])
      await eventually(async () => (await control.deliveries({ url: flaky.url })).some((d) => d.status === 200))
      const attempts = await control.deliveries({ url: flaky.url })
      expect(attempts.map((d) => [d.attempt, d.status])).toEqual([[1, 503], [2, 503], [3, 200]])
      expect(new Set(flaky.received.map((r) => r.headers["x-payin-event-id"]))).toEqual(new Set([`evt_order_completed_${orderId}`]))
      expect(new Set(flaky.received.map((r) => r.headers["x-payin-delivery-id"])).size).toBe(1)
      expect(flaky.received.every((r) => verify(String(r.headers["x-payin-signature"]), r.body).valid)).toBe(true)
      expect(rejecting.received).toHaveLength(1)
      expect(await control.deliveries({ url: rejecting.url })).toHaveLength(1)
    } finally {
      await flaky.close()
      await rejecting.close()
    }
  })

  it("retries a network error, giving up after five retries", async () => {
    const dead = await startReceiver()
    await dead.close()
    await control.payinSetWebhookEndpoints([{ url: dead.url }])
    const { orderId } = await createOrder()
    const { deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
    expect(deliveries[0].error).toEqual(expect.any(String))
    await eventually(async () => (await control.deliveries({ url: dead.url })).length === 6)
    await new Promise((r) => setTimeout(r, 400))
    expect((await control.deliveries({ url: dead.url })).map((d) => d.attempt)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it.each([
    ["wrong-secret", (h: string, b: string) => verify(h, b).valid === false && verify(h, b, "whsec_not_the_configured_secret").valid],
    ["forged", (h: string, b: string) => verify(h, b).valid === false && JSON.parse(b).data.status === "completed"],
    ["replayed", (h: string, b: string) => verify(h, b).valid && Date.now() / 1000 - verify(h, b).t > 300],
  ] as const)("sends a %s webhook", async (variant, check) => {
    const { orderId } = await createOrder()
    const { deliveries } = await control.payinSendWebhook({ orderId, type: "order.completed", variant })
    expect(deliveries).toHaveLength(1)
    const hook = receiver.received[0]
    expect(check(String(hook.headers["x-payin-signature"]), hook.body)).toBe(true)
    expect((await control.payinOrder(orderId)).status).toBe("pending")
  })

  it("sends an unsigned webhook", async () => {
    const { orderId } = await createOrder()
    await control.payinSendWebhook({ orderId, type: "order.completed", variant: "unsigned" })
    expect(receiver.received[0].headers["x-payin-signature"]).toBeUndefined()
    expect(receiver.received[0].headers["x-payin-event-id"]).toBe(`evt_order_completed_${orderId}`)
  })

  it("signs with a per-endpoint secret", async () => {
    await control.payinSetWebhookEndpoints([{ url: receiver.url, secret: "whsec_custom" }])
    const { orderId } = await createOrder()
    await control.payinTransfer(orderId, { amount: "32.25" })
    expect(verify(String(receiver.received[0].headers["x-payin-signature"]), receiver.received[0].body, "whsec_custom").valid).toBe(true)
  })

  it("signs in the plain form for an endpoint configured with signatureForm: plain, and timestamped by default", async () => {
    const plain = await startReceiver()
    try {
      await control.payinSetWebhookEndpoints([{ url: plain.url, signatureForm: "plain" }, { url: receiver.url }])
      const { orderId } = await createOrder()
      await control.payinTransfer(orderId, { amount: "32.25" })
      const hook = plain.received[0]
      expect(hook.headers["x-payin-signature"]).toBe(createHmac("sha256", SECRET).update(hook.body).digest("hex"))
      expect(verify(String(receiver.received[0].headers["x-payin-signature"]), receiver.received[0].body).valid).toBe(true)
      expect(receiver.received[0].body).toBe(hook.body)
    } finally {
      await plain.close()
    }
  })

  it("sends plain-form variants: wrong-secret signs with the other secret, forged tampers the signed body, replayed stays timestamped", async () => {
    await control.payinSetWebhookEndpoints([{ url: receiver.url, signatureForm: "plain" }])
    const { orderId } = await createOrder()
    const hmac = (secret: string, body: string) => createHmac("sha256", secret).update(body).digest("hex")
    for (const variant of ["valid", "wrong-secret", "forged", "replayed"] as const) {
      await control.payinSendWebhook({ orderId, type: "order.completed", variant })
    }
    const [valid, wrongSecret, forged, replayed] = receiver.received.map((r) => ({ sig: String(r.headers["x-payin-signature"]), body: r.body }))
    expect(valid.sig).toBe(hmac(SECRET, valid.body))
    expect(wrongSecret.sig).toBe(hmac("whsec_not_the_configured_secret", wrongSecret.body))
    expect(forged.sig).toMatch(/^[0-9a-f]{64}$/)
    expect(forged.sig).not.toBe(hmac(SECRET, forged.body))
    expect(JSON.parse(forged.body).data.status).toBe("completed")
    expect(verify(replayed.sig, replayed.body).valid).toBe(true)
    // One delivery can override the endpoint's form.
    receiver.received.length = 0
    await control.payinSendWebhook({ orderId, type: "order.completed", variant: "valid", signatureForm: "timestamped" })
    expect(verify(String(receiver.received[0].headers["x-payin-signature"]), receiver.received[0].body).valid).toBe(true)
  })

  it("refuses a signature form it does not know", async () => {
    await expect(control.payinSetWebhookEndpoints([{ url: receiver.url, signatureForm: "sha256" as "plain" }])).rejects.toThrow(/HTTP 400.*signatureForm/)
  })

  it("reorders: a held transfer.detected arrives after the order.completed that followed it", async () => {
    await control.webhookBehaviour({ gateway: "payin", mode: "reorder", count: 1 })
    const { orderId } = await createOrder()
    expect((await control.payinTransfer(orderId, { amount: "10" })).deliveries).toEqual([])
    const { deliveries } = await control.payinTransfer(orderId, { amount: "22.25" })
    expect(deliveries.map((d) => d.eventType)).toEqual(["order.completed", "transfer.detected"])
    expect(receiver.received.map((r) => r.headers["x-payin-event-type"])).toEqual(["order.completed", "transfer.detected"])
  })

  it("delays a webhook past the triggering call", async () => {
    await control.webhookBehaviour({ gateway: "payin", mode: "delay", count: 1, delayMs: 50 })
    const { orderId } = await createOrder()
    expect((await control.payinTransfer(orderId, { amount: "32.25" })).deliveries).toEqual([])
    await eventually(() => receiver.received.length === 1)
    expect(receiver.received[0].headers["x-payin-event-type"]).toBe("order.completed")
  })

  it("duplicates a webhook with the same event id", async () => {
    await control.webhookBehaviour({ gateway: "payin", mode: "duplicate" })
    const { orderId } = await createOrder()
    await control.payinTransfer(orderId, { amount: "32.25" })
    expect(receiver.received.map((r) => r.headers["x-payin-event-id"])).toEqual([`evt_order_completed_${orderId}`, `evt_order_completed_${orderId}`])
  })
})
