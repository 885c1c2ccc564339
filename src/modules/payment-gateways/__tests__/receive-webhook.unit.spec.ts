import type { IncomingMessage } from "node:http"
import { Readable } from "node:stream"
import { plainHeaders, readRawBody, redactHeaders } from "../receive-webhook"

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
