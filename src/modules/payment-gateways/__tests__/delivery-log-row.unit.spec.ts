import { DELIVERY_LOG_ROW_LIMITS, DROPPED_HEADERS_KEY, deliveryLogBodyExcerpt, deliveryLogHeaders, deliveryLogText } from "../delivery-log-row"

const jsonBytes = (v: unknown) => Buffer.byteLength(JSON.stringify(v))

describe("delivery log rows are bounded and printable", () => {
  it("the body excerpt: at most 512 bytes, escaped, cut between characters", () => {
    const body = Buffer.concat([Buffer.from("{\"a\":\"\0"), Buffer.from([0xff]), Buffer.from("😀".repeat(200))])
    const excerpt = deliveryLogBodyExcerpt(body, [])
    expect(excerpt.startsWith('{"a":"\\x00\\xff😀')).toBe(true)
    expect(Buffer.byteLength(excerpt)).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.bodyExcerptBytes)
    expect(excerpt.endsWith("😀")).toBe(true)
  })

  it("the body excerpt: a secret starting inside the excerpt is removed whole, even when the cut falls inside it", () => {
    const secret = "whsec_0123456789abcdef"
    const body = Buffer.from("x".repeat(DELIVERY_LOG_ROW_LIMITS.bodyExcerptBytes - 5) + secret)
    const excerpt = deliveryLogBodyExcerpt(body, [secret])
    expect(excerpt).not.toContain("whsec")
    expect(excerpt.endsWith("x[reda")).toBe(true)
  })

  it("the body excerpt: a secret with a backslash is found in escaped text", () => {
    expect(deliveryLogBodyExcerpt(Buffer.from("key=ab\\cd!"), ["ab\\cd"])).toBe("key=[redacted]!")
  })

  it("headers: printable names and values, values cut with a marker", () => {
    const stored = deliveryLogHeaders({ "x-a": "v\0\u0007", "x-long": "y".repeat(1_000) })
    expect(stored["x-a"]).toBe("v\\x00\\x07")
    expect(Buffer.byteLength(stored["x-long"])).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.headerValueBytes)
    expect(stored["x-long"].endsWith("…")).toBe(true)
  })

  it("headers: at most 30, the useful ones first, the rest counted", () => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < 50; i++) headers[`x-junk-${i}`] = "1"
    headers["user-agent"] = "PayIn-Webhooks/1.0"
    headers["content-type"] = "application/json"
    const stored = deliveryLogHeaders(headers)
    const names = Object.keys(stored)
    expect(names.slice(0, 2)).toEqual(["content-type", "user-agent"])
    expect(names).toHaveLength(DELIVERY_LOG_ROW_LIMITS.headerCount + 1)
    expect(stored[DROPPED_HEADERS_KEY]).toBe("22 more headers")
  })

  it("headers: the whole stays under 2 KB of JSON however long the names and values", () => {
    const headers: Record<string, string> = {}
    for (let i = 0; i < 100; i++) headers[`${"n".repeat(100)}${i}`] = "€".repeat(300)
    const stored = deliveryLogHeaders(headers)
    expect(jsonBytes(stored)).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.headersJsonBytes)
    for (const name of Object.keys(stored)) expect(Buffer.byteLength(name)).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.headerNameBytes)
    expect(stored[DROPPED_HEADERS_KEY]).toMatch(/^\d+ more headers$/)
  })

  it("headers: a few ordinary ones are stored unchanged, without a marker", () => {
    expect(deliveryLogHeaders({ host: "shop.example", "x-payin-signature": "[redacted]" })).toEqual({ host: "shop.example", "x-payin-signature": "[redacted]" })
  })

  it("text columns: no NUL, bounded, absent stays absent", () => {
    expect(deliveryLogText("evt\0", 256)).toBe("evt\\x00")
    expect(Buffer.byteLength(deliveryLogText("e".repeat(1_000), 256)!)).toBe(256)
    expect(deliveryLogText(undefined, 10)).toBeUndefined()
  })
})
