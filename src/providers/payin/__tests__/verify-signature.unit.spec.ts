import crypto from "node:crypto"
import { computePayInPlainSignature, computePayInSignature, readPayInSignatureHeader, verifyPayInSignature, screenPayInSignatureHeader } from "../verify-signature"

/**
 * Known-answer vectors, computed once outside this code:
 *   node -e 'require("crypto").createHmac("sha256", SECRET).update(T + "." + BODY).digest("hex")'
 * and cross-checked with `openssl dgst -sha256 -hmac`; the plain form with
 *   printf '%s' "$BODY" | openssl dgst -sha256 -hmac "$SECRET"
 */
const SECRET = "whsec_test_vector_secret"
const T = 1763762400
const BODY =
  '{"id":"evt_order_completed_8d3c7e0a-1b2c-4d5e-8f90-123456789abc","type":"order.completed","created_at":"2026-11-21T22:00:00.000Z","data":{"order_id":"8d3c7e0a-1b2c-4d5e-8f90-123456789abc","order_reference":"payses_01TEST","status":"completed","amount":"32.25"}}'
const V1 = "14c9eda81161bc8baee677201308e8ff44b23cf0e301519eea8f7bdaa8a91b04"
const V1_WRONG_SECRET = "ab9258771ccbfce556c88b5d8b3bc6a311c161a972f87092463d962eb8a49ed2"
/** hex(HMAC-SHA256(SECRET, BODY)): the whole header in the plain form. */
const PLAIN = "199b4b4e4ebd770ea270da0eb3a4dfb479278a865b6f88830dc6eac4b9b9bd98"
const PLAIN_WRONG_SECRET = "b7a6542e1073930a6f8432d4bde239ad9cfee14b940652c250c35028292a80e5"
const NOW_MS = (T + 10) * 1000

const body = Buffer.from(BODY, "utf8")

describe("verifyPayInSignature, timestamped form t=<seconds>,v1=<hex>", () => {
  it("reproduces the known-answer vectors", () => {
    expect(computePayInSignature(body, T, SECRET)).toBe(V1)
    expect(computePayInSignature(Buffer.from('{"id":"evt_1","type":"test.event"}'), 1700000000, "whsec_abc12345")).toBe(
      "0e8638d44af1b9bd063b8c93df478b07c3c4c5c4a64b052b21eb076a502d1d05"
    )
  })

  it("accepts a correctly signed body within the window", () => {
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, SECRET, NOW_MS)).toEqual({ verdict: "ok", form: "timestamped", timestamp: T })
  })

  it("accepts upper-case hex, spaces and extra schemes", () => {
    expect(verifyPayInSignature(body, ` t=${T} , v0=abcd, v1=${V1.toUpperCase()}`, SECRET, NOW_MS).verdict).toBe("ok")
  })

  it("rejects a tampered body", () => {
    const tampered = Buffer.from(BODY.replace('"32.25"', '"0.01"'), "utf8")
    expect(verifyPayInSignature(tampered, `t=${T},v1=${V1}`, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("rejects a body re-serialised with different whitespace", () => {
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1), "utf8")
    expect(verifyPayInSignature(reserialised, `t=${T},v1=${V1}`, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("rejects a signature made with another secret", () => {
    expect(verifyPayInSignature(body, `t=${T},v1=${V1_WRONG_SECRET}`, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("rejects a changed timestamp (it is part of what is signed)", () => {
    expect(verifyPayInSignature(body, `t=${T + 1},v1=${V1}`, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("rejects genuinely signed messages older or newer than 300 s as replays", () => {
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, SECRET, (T + 300) * 1000).verdict).toBe("ok")
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, SECRET, (T + 301) * 1000).verdict).toBe("timestamp_out_of_window")
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, SECRET, (T - 301) * 1000).verdict).toBe("timestamp_out_of_window")
  })

  it("names a missing header, a malformed header and a missing secret", () => {
    expect(verifyPayInSignature(body, undefined, SECRET, NOW_MS).verdict).toBe("missing_signature")
    expect(verifyPayInSignature(body, "", SECRET, NOW_MS).verdict).toBe("missing_signature")
    for (const header of [`t=${T}`, `v1=${V1}`, `t=abc,v1=${V1}`, `t=${T},v1=xyz`, `t=${T},v1=abc`, "garbage"]) {
      expect(verifyPayInSignature(body, header, SECRET, NOW_MS).verdict).toBe("malformed_signature")
    }
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, undefined, NOW_MS).verdict).toBe("no_secret_configured")
    expect(verifyPayInSignature(body, `t=${T},v1=${V1}`, "", NOW_MS).verdict).toBe("no_secret_configured")
  })

  it("treats a v1 of the wrong length as a mismatch", () => {
    expect(verifyPayInSignature(body, `t=${T},v1=${V1.slice(0, 62)}`, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("compares signatures with crypto.timingSafeEqual", () => {
    const spy = jest.spyOn(crypto, "timingSafeEqual")
    try {
      verifyPayInSignature(body, `t=${T},v1=${V1_WRONG_SECRET}`, SECRET, NOW_MS)
      expect(spy).toHaveBeenCalledTimes(1)
      verifyPayInSignature(body, `t=${T},v1=${V1}`, SECRET, NOW_MS)
      expect(spy).toHaveBeenCalledTimes(2)
    } finally {
      spy.mockRestore()
    }
  })
})

describe("verifyPayInSignature, plain form hex(HMAC-SHA256(secret, body))", () => {
  const FAR_FUTURE_MS = (T + 10 * 365 * 24 * 3600) * 1000

  it("reproduces the known-answer vectors", () => {
    expect(computePayInPlainSignature(body, SECRET)).toBe(PLAIN)
    expect(computePayInPlainSignature(body, "whsec_not_the_configured_secret")).toBe(PLAIN_WRONG_SECRET)
  })

  it("accepts the HMAC of the raw body in lower- or upper-case hex, with surrounding whitespace", () => {
    expect(verifyPayInSignature(body, PLAIN, SECRET, NOW_MS)).toEqual({ verdict: "ok", form: "plain" })
    expect(verifyPayInSignature(body, PLAIN.toUpperCase(), SECRET, NOW_MS)).toEqual({ verdict: "ok", form: "plain" })
    expect(verifyPayInSignature(body, `  ${PLAIN}\t`, SECRET, NOW_MS)).toEqual({ verdict: "ok", form: "plain" })
  })

  it("has no time window: the same signature verifies whatever the clock says", () => {
    expect(verifyPayInSignature(body, PLAIN, SECRET, FAR_FUTURE_MS).verdict).toBe("ok")
  })

  it("rejects a signature made with another secret", () => {
    expect(verifyPayInSignature(body, PLAIN_WRONG_SECRET, SECRET, NOW_MS)).toEqual({ verdict: "signature_mismatch", form: "plain" })
  })

  it("rejects a tampered or re-serialised body", () => {
    const tampered = Buffer.from(BODY.replace('"32.25"', '"0.01"'), "utf8")
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(BODY), null, 1), "utf8")
    expect(verifyPayInSignature(tampered, PLAIN, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
    expect(verifyPayInSignature(reserialised, PLAIN, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("rejects the timestamped form's v1 sent alone: it signs t.body, not the body", () => {
    expect(verifyPayInSignature(body, V1, SECRET, NOW_MS).verdict).toBe("signature_mismatch")
  })

  it("names hex of the wrong length, non-hex and undocumented prefixes as malformed", () => {
    for (const header of [PLAIN.slice(0, 62), `${PLAIN}00`, PLAIN.slice(0, 63), `${PLAIN.slice(0, 63)}g`, `sha256=${PLAIN}`, `${PLAIN.slice(0, 32)} ${PLAIN.slice(32)}`]) {
      expect({ header, verdict: verifyPayInSignature(body, header, SECRET, NOW_MS).verdict }).toEqual({ header, verdict: "malformed_signature" })
    }
  })

  it("still needs a configured secret", () => {
    expect(verifyPayInSignature(body, PLAIN, undefined, NOW_MS).verdict).toBe("no_secret_configured")
  })

  it("compares the decoded bytes with crypto.timingSafeEqual", () => {
    const spy = jest.spyOn(crypto, "timingSafeEqual")
    try {
      verifyPayInSignature(body, PLAIN_WRONG_SECRET, SECRET, NOW_MS)
      expect(spy).toHaveBeenCalledTimes(1)
      const [given, expected] = spy.mock.calls[0] as [Buffer, Buffer]
      expect([given.length, expected.length]).toEqual([32, 32])
      expect(Buffer.from(given).toString("hex")).toBe(PLAIN_WRONG_SECRET)
    } finally {
      spy.mockRestore()
    }
  })
})

describe("readPayInSignatureHeader", () => {
  it("reads X-PayIn-Signature and payin-signature, in any case", () => {
    expect(readPayInSignatureHeader({ "x-payin-signature": "t=1,v1=aa" })).toBe("t=1,v1=aa")
    expect(readPayInSignatureHeader({ "X-PayIn-Signature": "t=2,v1=bb" })).toBe("t=2,v1=bb")
    expect(readPayInSignatureHeader({ "payin-signature": "t=3,v1=cc" })).toBe("t=3,v1=cc")
    expect(readPayInSignatureHeader({ "payin-signature": ["t=4,v1=dd"] })).toBe("t=4,v1=dd")
  })

  it("returns undefined when neither header is present", () => {
    expect(readPayInSignatureHeader({ "stripe-signature": "t=1,v1=aa" })).toBeUndefined()
    expect(readPayInSignatureHeader(undefined)).toBeUndefined()
  })

  it("verifies both forms end to end with either header name, in any casing", () => {
    for (const name of ["x-payin-signature", "X-PayIn-Signature", "X-PAYIN-SIGNATURE", "payin-signature", "PayIn-Signature"]) {
      const timestamped = readPayInSignatureHeader({ [name]: `t=${T},v1=${V1}` })
      const plain = readPayInSignatureHeader({ [name]: PLAIN })
      expect({ name, result: verifyPayInSignature(body, timestamped, SECRET, NOW_MS) }).toEqual({ name, result: { verdict: "ok", form: "timestamped", timestamp: T } })
      expect({ name, result: verifyPayInSignature(body, plain, SECRET, NOW_MS) }).toEqual({ name, result: { verdict: "ok", form: "plain" } })
    }
  })
})

describe("screenPayInSignatureHeader: what the headers alone decide", () => {
  it.each([
    ["no secret configured", "t=1,v1=ab", undefined, "no_secret_configured"],
    ["no header", undefined, "whsec_x", "missing_signature"],
    ["a blank header", "   ", "whsec_x", "missing_signature"],
    ["neither form", "sha256=abc", "whsec_x", "malformed_signature"],
    ["hex of the wrong length", "ab".repeat(31), "whsec_x", "malformed_signature"],
    ["the plain form: the body decides", "AB".repeat(32), "whsec_x", undefined],
    ["the timestamped form: the body decides", "t=1700000000,v1=" + "ab".repeat(32), "whsec_x", undefined],
  ])("%s", (_what, header, secret, verdict) => {
    expect(screenPayInSignatureHeader(header, secret)).toBe(verdict)
  })
})
