import type { IncomingMessage } from "node:http"
import { Readable } from "node:stream"
import { plainHeaders, readRawBody, receiveWebhook, redactHeaders, webhookDeliveriesInFlight, whenWebhookRoutesAreQuiet, type WebhookDecision } from "../receive-webhook"
import type { RecordDeliveryInput } from "../service"

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
      webhookDeliveryLog: () => ({ record: async () => "recorded" }),
    }
    const logger = { warn: () => undefined, error: () => undefined }
    const container = { resolve: (key: string) => (key === "paymentGateways" ? inbox : logger) } as never
    const answer = receiveWebhook({
      container,
      gateway: "payin",
      req: request([Buffer.from("{}")]) as never,
      secrets: [],
      accept: () => ({ ok: true, providerId: "pp_payin_payin", eventId: "evt_1" }),
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

describe("what a delivery leaves in the delivery log", () => {
  async function logged(body: Buffer, headers: Record<string, string>, decision: WebhookDecision, ip?: string) {
    const rows: RecordDeliveryInput[] = []
    const inbox = {
      storeWebhookEvent: async () => ({ id: "pgwe_1", duplicate: false }),
      webhookDeliveryLog: () => ({ record: async (row: RecordDeliveryInput) => void rows.push(row) }),
    }
    const warnings: string[] = []
    const logger = { warn: (m: string) => void warnings.push(m), error: () => undefined }
    const container = { resolve: (key: string) => (key === "paymentGateways" ? inbox : logger) } as never
    const req = Object.assign(request([body], headers), { ip })
    const answer = await receiveWebhook({ container, gateway: "secpaid", req: req as never, secrets: ["enc_key_0123"], accept: () => decision })
    expect(warnings).toEqual([])
    return { answer, row: rows[0] }
  }

  it("a body with NUL and invalid UTF-8 is logged as escaped text, cut to 512 bytes; headers and text columns bounded and printable", async () => {
    const body = Buffer.concat([Buffer.from("pay_id=1\0&key=enc_key_0123&x="), Buffer.from([0xff, 0xc3]), Buffer.alloc(50_000, "a")])
    const headers: Record<string, string> = { "content-type": "text/plain" }
    for (let i = 0; i < 40; i++) headers[`x-h${i}`] = i === 0 ? "v".repeat(400) : "v"
    const rejected: WebhookDecision = { ok: false, status: 400, verdict: "parse_error", detail: "Not a SecPaid webhook: unexpected \0." }
    const { answer, row } = await logged(body, headers, rejected, "10.0.0.1\0")
    expect(answer.status).toBe(400)
    expect(row.bodyExcerpt!.startsWith("pay_id=1\\x00&key=[redacted]&x=\\xff\\xc3aaa")).toBe(true)
    expect(Buffer.byteLength(row.bodyExcerpt!)).toBeLessThanOrEqual(512)
    expect(row.bodyBytes).toBe(body.length)
    expect(Object.keys(row.headers!)).toHaveLength(31)
    expect(Buffer.byteLength(JSON.stringify(row.headers))).toBeLessThanOrEqual(2048)
    expect(row.headers!["x-h0"]).toBe(`${"v".repeat(253)}…`)
    expect(row.detail).toBe("Not a SecPaid webhook: unexpected \\x00.")
    expect(row.remoteAddress).toBe("10.0.0.1\\x00")
  })
})

describe("what an anonymous post costs before it is refused", () => {
  function harness() {
    const rows: RecordDeliveryInput[] = []
    const inbox = {
      storeWebhookEvent: jest.fn(async () => ({ id: "pgwe_1", duplicate: false })),
      webhookDeliveryLog: () => ({ record: async (row: RecordDeliveryInput) => void rows.push(row) }),
    }
    const logger = { warn: () => undefined, error: () => undefined }
    const container = { resolve: (key: string) => (key === "paymentGateways" ? inbox : logger) } as never
    return { rows, inbox, container }
  }

  it("a refusal the headers decide is made without reading the body, and the delivery is still logged", async () => {
    const { rows, container } = harness()
    const accept = jest.fn((): WebhookDecision => ({ ok: true, providerId: "pp_payin_payin", eventId: "evt_1" }))
    const answer = await receiveWebhook({
      container,
      gateway: "payin",
      req: request([Buffer.alloc(50_000)], { "content-length": "50000" }) as never,
      secrets: [],
      screen: () => ({ ok: false, status: 401, verdict: "signature_missing", detail: "No signature." }),
      accept,
    })
    expect(answer.status).toBe(401)
    expect(accept).not.toHaveBeenCalled()
    expect(rows).toMatchObject([{ verdict: "signature_missing", httpStatus: 401, bodyBytes: 50000, bodyExcerpt: undefined }])
  })

  it("a body over the route's own limit is refused unread (413)", async () => {
    const { rows, container } = harness()
    const answer = await receiveWebhook({
      container,
      gateway: "secpaid",
      req: request([], { "content-length": String(16 * 1024 + 1) }) as never,
      secrets: [],
      bodyLimitBytes: 16 * 1024,
      accept: () => ({ ok: true, providerId: "pp_payin_payin", eventId: "x" }),
    })
    expect(answer.status).toBe(413)
    expect(rows[0]).toMatchObject({ verdict: "too_large", httpStatus: 413 })
  })

  it("refused and ignored posts never hold back processing; only a delivery being stored does", async () => {
    const { container } = harness()
    let decide!: (d: WebhookDecision) => void
    const decided = new Promise<WebhookDecision>((r) => (decide = r))
    const answer = receiveWebhook({ container, gateway: "secpaid", req: request([Buffer.from("x")]) as never, secrets: [], accept: () => decided })
    await new Promise((r) => setImmediate(r))
    expect(webhookDeliveriesInFlight()).toBe(0)
    decide({ ok: false, status: 200, verdict: "ignored_unknown_link", detail: "Not ours." })
    await expect(answer).resolves.toEqual({ status: 200, body: { received: true } })
    expect(webhookDeliveriesInFlight()).toBe(0)
  })
})
