import { maskSecret, redact, redactString } from "../redact"

describe("redaction", () => {
  it("masks a secret to its last four characters", () => {
    expect(maskSecret("pk_test_abcdef3f9a")).toBe("••••3f9a")
    expect(maskSecret(undefined)).toBe("")
  })

  it("removes known secret values wherever they appear in text", () => {
    expect(redactString("token S3ZOMroDliZZBWyL rejected", ["S3ZOMroDliZZBWyL"])).toBe("token [redacted] rejected")
  })

  it("masks secret-named keys deeply and keeps everything else", () => {
    const out = redact(
      { headers: { token: "abc", Authorization: "Bearer pk_1", "x-kong-request-id": "r1" }, body: { amount: "10.00", note: "key pk_live_zzzz" } },
      ["pk_live_zzzz"]
    )
    expect(out).toEqual({
      headers: { token: "[redacted]", Authorization: "[redacted]", "x-kong-request-id": "r1" },
      body: { amount: "10.00", note: "key [redacted]" },
    })
  })
})
