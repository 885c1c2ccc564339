import type { IncomingMessage } from "node:http"
import { Readable } from "node:stream"
import { plainHeaders, readRawBody, receiveWebhook, redactHeaders, webhookDeliveriesInFlight, whenWebhookRoutesAreQuiet } from "../receive-webhook"

function request(chunks: Buffer[], headers: Record<string, string> = {}): IncomingMessage {
  const stream = Readable.from(chunks) as unknown as IncomingMessage
  stream.headers = headers
  return stream
}

describe("readRawBody", () => {
  it("returns the bytes exactly as sent", async () => {
    const body = Buffer.from("ResponseCode=1&data%5Bpay_id%5D=1466&data%5Bstatus%5D=success")
    const res = await readRawBody(request([body.subarray(0, 10), body.subarray(10)]), 1024)
    expect(res).toEqual({ ok: true, body })
  })

  it("refuses a declared length over the limit without reading", async () => {
    expect(await readRawBody(request([], { "content-length": "5000" }), 1024)).toEqual({ ok: false, bytes: 5000 })
  })

  it("refuses a streamed body that grows over the limit (no or false content-length)", async () => {
    const res = await readRawBody(request([Buffer.alloc(600), Buffer.alloc(600)]), 1024)
    expect(res).toEqual({ ok: false, bytes: 1200 })
  })
})

describe("headers for the delivery log", () => {
  it("masks signatures, tokens and cookies and removes known secret values", () => {
    const headers = plainHeaders({
      "X-PayIn-Signature": "t=1,v1=abcdef",
      cookie: "connect.sid=s%3Asecret",
      authorization: "Bearer pk_live_123456",
      "user-agent": "PayIn-Webhooks/1.0 whsec_sandbox_value",
      "x-forwarded-for": ["1.1.1.1", "2.2.2.2"],
    } as never)
    expect(redactHeaders(headers, ["whsec_sandbox_value"])).toEqual({
      "x-payin-signature": "[redacted]",
      cookie: "[redacted]",
      authorization: "[redacted]",
      "user-agent": "PayIn-Webhooks/1.0 [redacted]",
      "x-forwarded-for": "1.1.1.1, 2.2.2.2",
    })
  })
})

describe("acknowledge first: processing waits while deliveries are being received", () => {
  /** A delivery whose storing hangs until `finishStoring` is called. */
  function hangingDelivery() {
    let finishStoring!: () => void
    const stored = new Promise<void>((r) => (finishStoring = r))
    const inbox = {
      storeWebhookEvent: async () => {
        await stored
        return { id: "pgwe_1", duplicate: false }
      },
      recordDelivery: async () => undefined,
    }
    const logger = { warn: () => undefined, error: () => undefined }
    const container = { resolve: (key: string) => (key === "paymentGateways" ? inbox : logger) } as never
    const answer = receiveWebhook({
      container,
      gateway: "payin",
      req: request([Buffer.from("{}")]) as never,
      secrets: [],
      accept: () => ({ ok: true, eventId: "evt_1" }),
    })
    return { answer, finishStoring }
  }

  it("holds back until the delivery in flight is answered", async () => {
    const delivery = hangingDelivery()
    await new Promise((r) => setImmediate(r))
    expect(webhookDeliveriesInFlight()).toBe(1)
    let quiet = false
    const waiting = whenWebhookRoutesAreQuiet(10_000, 1).then(() => (quiet = true))
    await new Promise((r) => setTimeout(r, 30))
    expect(quiet).toBe(false)

    delivery.finishStoring()
    await expect(delivery.answer).resolves.toMatchObject({ status: 200 })
    await waiting
    expect(quiet).toBe(true)
    expect(webhookDeliveriesInFlight()).toBe(0)
  })

  it("waits no longer than the given maximum when deliveries keep coming", async () => {
    const delivery = hangingDelivery()
    await new Promise((r) => setImmediate(r))
    const started = Date.now()
    await whenWebhookRoutesAreQuiet(50, 1)
    expect(webhookDeliveriesInFlight()).toBe(1)
    expect(Date.now() - started).toBeGreaterThanOrEqual(45)
    delivery.finishStoring()
    await delivery.answer
  })

  it("does not wait at all when nothing is being received", async () => {
    expect(webhookDeliveriesInFlight()).toBe(0)
    let quiet = false
    void whenWebhookRoutesAreQuiet(10_000).then(() => (quiet = true))
    await new Promise((r) => setImmediate(r))
    expect(quiet).toBe(true)
  })
})
