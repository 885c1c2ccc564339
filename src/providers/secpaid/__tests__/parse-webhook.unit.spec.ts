import { createCipheriv } from "node:crypto"
import { isSecPaidErrorNotification, parseSecPaidWebhook } from "../parse-webhook"

const KEY = "0123456789abcdef0123456789ABCDEF" // 32 chars

function encrypt(plaintext: string, key = KEY): string {
  const cipher = createCipheriv("aes-256-cbc", Buffer.from(key, "utf8"), Buffer.from(key.slice(0, 16), "utf8"))
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64")
}

const claim = (input: Parameters<typeof parseSecPaidWebhook>[0]) => {
  const result = parseSecPaidWebhook(input)
  if (!result.ok) throw new Error(result.reason)
  return result.claim
}

describe("parseSecPaidWebhook: every documented body shape", () => {
  it.each([
    ["form-urlencoded bracket keys (vendor plugin wire format)", Buffer.from("ResponseCode=1&data%5Bpay_id%5D=1466&data%5Bamount%5D=100&data%5Buser_id%5D=u1&data%5Bstatus%5D=success"), "success"],
    ["form-urlencoded cancel with data[Status]", Buffer.from("ResponseCode=1&data%5Bpay_id%5D=1466&data%5BStatus%5D=cancel"), "cancel"],
    ["JSON flat bracket keys", Buffer.from(JSON.stringify({ ResponseCode: 1, "data[pay_id]": 1466, "data[amount]": 100, "data[user_id]": "u1", "data[status]": "success" })), "success"],
    ["JSON flat cancel with capital Status", Buffer.from(JSON.stringify({ ResponseCode: 1, "data[pay_id]": "1466", "data[Status]": "cancel" })), "cancel"],
    ["JSON nested", Buffer.from(JSON.stringify({ ResponseCode: 1, data: { pay_id: 1466, note: "medusa:payses_1", amount: 49.99, user_id: "u1", status: "Success" } })), "success"],
    ["JSON nested, cancelled, STATUS upper-case key", Buffer.from(JSON.stringify({ data: { PAY_ID: "1466", STATUS: "Cancelled" } })), "cancel"],
    ["a string body", "ResponseCode=1&data[pay_id]=1466&data[status]=success", "success"],
    ["the Redis event bus's serialised Buffer", { type: "Buffer", data: [...Buffer.from('{"data":{"pay_id":"1466","status":"success"}}')] }, "success"],
  ])("%s", (_name, rawData, status) => {
    expect(claim({ rawData })).toMatchObject({ payId: "1466", status, encrypted: false })
  })

  it("falls back to the parsed body when there are no raw bytes", () => {
    expect(claim({ data: { data: { pay_id: "1466", status: "success" } } })).toMatchObject({ payId: "1466", status: "success" })
    expect(claim({ data: { "data[pay_id]": "9", "data[status]": "canceled" } })).toMatchObject({ payId: "9", status: "cancel" })
  })

  it("keeps amount, note and user id as text", () => {
    expect(claim({ rawData: Buffer.from(JSON.stringify({ data: { pay_id: 1, amount: 49.99, note: "medusa:payses_1", user_id: 5, status: "success" } })) })).toEqual({
      payId: "1", status: "success", rawStatus: "success", amount: "49.99", note: "medusa:payses_1", userId: "5", encrypted: false,
    })
  })

  it.each([
    ["nested", JSON.stringify({ ResponseCode: 1, data: { pay_id: 77, status: "Success" } })],
    ["flat", JSON.stringify({ "data[pay_id]": 77, "data[status]": "success" })],
    ["form", "data%5Bpay_id%5D=77&data%5Bstatus%5D=success"],
  ])("decrypts an encrypted body whose plaintext is %s", (_name, plaintext) => {
    const rawData = Buffer.from(JSON.stringify({ data: encrypt(plaintext) }))
    expect(claim({ rawData, encryptionKey: KEY })).toMatchObject({ payId: "77", status: "success", encrypted: true })
  })

  it("accepts only encrypted bodies when an encryption key is configured", () => {
    const result = parseSecPaidWebhook({ rawData: Buffer.from('{"data":{"pay_id":1,"status":"success"}}'), encryptionKey: KEY })
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/not encrypted although encryptionKey is configured/) })
  })

  it("rejects a body encrypted with another key, without echoing the key", () => {
    const rawData = Buffer.from(JSON.stringify({ data: encrypt('{"data":{"pay_id":1}}', "ffffffffffffffffffffffffffffffff") }))
    const result = parseSecPaidWebhook({ rawData, encryptionKey: KEY })
    expect(result.ok).toBe(false)
    expect(JSON.stringify(result)).not.toContain(KEY)
  })

  it("rejects an encrypted body when no key is configured", () => {
    expect(parseSecPaidWebhook({ rawData: Buffer.from(JSON.stringify({ data: encrypt("x") })) }).ok).toBe(false)
  })

  it.each([
    ["no pay_id", Buffer.from("data%5Bstatus%5D=success")],
    ["empty body", Buffer.from("")],
    ["broken JSON", Buffer.from("{not json")],
  ])("rejects %s", (_name, rawData) => {
    expect(parseSecPaidWebhook({ rawData }).ok).toBe(false)
  })

  it("maps an unknown status to unknown", () => {
    expect(claim({ rawData: Buffer.from("data%5Bpay_id%5D=1&data%5Bstatus%5D=refunded") }).status).toBe("unknown")
  })

  it.each([
    ["letters", "data%5Bpay_id%5D=abc&data%5Bstatus%5D=success"],
    ["a path", "data%5Bpay_id%5D=..%2F..%2Fadmin&data%5Bstatus%5D=success"],
    ["more than 20 digits", `data%5Bpay_id%5D=${"9".repeat(21)}&data%5Bstatus%5D=success`],
    ["a negative number", JSON.stringify({ data: { pay_id: -5, status: "success" } })],
  ])("refuses a pay_id that is not a SecPaid link id: %s", (_name, body) => {
    const result = parseSecPaidWebhook({ rawData: Buffer.from(body) })
    expect(result).toEqual({ ok: false, reason: expect.stringMatching(/pay_id/) })
  })

  it("gives one and the same reason for every encrypted body it cannot use (no padding oracle)", () => {
    const wrongKey = parseSecPaidWebhook({ rawData: Buffer.from(JSON.stringify({ data: encrypt('{"data":{"pay_id":1}}', "ffffffffffffffffffffffffffffffff") })), encryptionKey: KEY })
    const garbage = parseSecPaidWebhook({ rawData: Buffer.from(JSON.stringify({ data: encrypt("{not json") })), encryptionKey: KEY })
    const notAClaim = parseSecPaidWebhook({ rawData: Buffer.from(JSON.stringify({ data: encrypt('{"data":{"status":"success"}}') })), encryptionKey: KEY })
    const truncated = parseSecPaidWebhook({ rawData: Buffer.from(JSON.stringify({ data: encrypt('{"data":{"pay_id":1}}').slice(0, 8) })), encryptionKey: KEY })
    const reasons = [wrongKey, garbage, notAClaim, truncated].map((r) => (r.ok ? "ok" : r.reason))
    expect(new Set(reasons).size).toBe(1)
    expect(reasons[0]).toMatch(/not a SecPaid claim encrypted with the configured encryptionKey/)
  })
})

describe("isSecPaidErrorNotification: the ResponseCode decision", () => {
  it.each([
    ["ResponseCode=1", "ResponseCode=1&data%5Bpay_id%5D=1&data%5Bstatus%5D=success", false],
    ["no ResponseCode (a documented shape)", JSON.stringify({ data: { pay_id: 1, status: "success" } }), false],
    ["ResponseCode 0", JSON.stringify({ ResponseCode: 0, data: { pay_id: 1, status: "success" } }), true],
    ["ResponseCode \"0\" in a form body", "ResponseCode=0&data%5Bpay_id%5D=1&data%5Bstatus%5D=success", true],
  ])("%s → error notification: %s", (_name, body, expected) => {
    expect(isSecPaidErrorNotification(claim({ rawData: Buffer.from(body) }))).toBe(expected)
  })
})
