import { printableText, truncatePrintable } from "../printable-text"

const bytes = (...b: number[]) => Buffer.from(b)

describe("printableText", () => {
  it.each([
    // what, input, stored text
    ["plain ASCII", Buffer.from('{"id":"evt_1"}'), '{"id":"evt_1"}'],
    ["NUL", Buffer.from("a\0b"), "a\\x00b"],
    ["other C0 controls and DEL; tab, LF and CR kept", bytes(0x01, 0x1b, 0x7f, 0x09, 0x0a, 0x0d), "\\x01\\x1b\\x7f\t\n\r"],
    ["a lone continuation byte", bytes(0x61, 0x80, 0x62), "a\\x80b"],
    ["a byte that never starts UTF-8", bytes(0xff, 0xfe, 0xc0, 0xc1, 0xf5), "\\xff\\xfe\\xc0\\xc1\\xf5"],
    ["an overlong encoding of '/'", bytes(0xe0, 0x80, 0xaf), "\\xe0\\x80\\xaf"],
    ["a UTF-16 surrogate encoded in UTF-8", bytes(0xed, 0xa0, 0x80), "\\xed\\xa0\\x80"],
    ["a 3-byte sequence cut short by the end of the input", Buffer.from("x€").subarray(0, 3), "x\\xe2\\x82"],
    ["a sequence interrupted by ASCII", bytes(0xe2, 0x82, 0x41), "\\xe2\\x82A"],
    ["2-, 3- and 4-byte characters kept", Buffer.from("é€😀"), "é€😀"],
    ["a C1 control (valid UTF-8, invisible)", Buffer.from("a\u0085b"), "a\\u0085b"],
    ["a backslash, so that escapes stay unambiguous", Buffer.from("a\\x00"), "a\\\\x00"],
  ])("%s", (_what, input, stored) => {
    expect(printableText(input)).toBe(stored)
  })

  it.each([
    // what, input, maxBytes, stored text
    ["cuts before a 4-byte emoji that does not fit whole", Buffer.from("ab😀"), 5, "ab"],
    ["keeps the emoji when it fits exactly", Buffer.from("ab😀c"), 6, "ab😀"],
    ["cuts before a 2-byte character that does not fit", Buffer.from("aé"), 2, "a"],
    ["never splits an escape", Buffer.from("a\0"), 4, "a"],
    ["counts an escape as the bytes it is stored in", Buffer.from("a\0"), 5, "a\\x00"],
    ["never splits an escaped backslash", Buffer.from("a\\"), 2, "a"],
  ])("%s", (_what, input, maxBytes, stored) => {
    const out = printableText(input, maxBytes)
    expect(out).toBe(stored)
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(maxBytes)
  })

  it("makes strings printable too: NUL, controls and lone surrogates escaped", () => {
    expect(printableText("v\u0000\u0007\ud800x😀\\")).toBe("v\\x00\\x07\\ud800x😀\\\\")
  })

  it("always produces text PostgreSQL accepts in text and jsonb: no NUL, valid UTF-8, no lone surrogate", () => {
    const all = Buffer.from(Array.from({ length: 256 }, (_, i) => i))
    for (const out of [printableText(all), printableText(all.toString("latin1")), printableText(Buffer.concat([all, all.reverse()]))]) {
      expect(out).not.toContain("\u0000")
      expect(Buffer.from(out, "utf8").toString("utf8")).toBe(out)
      expect(JSON.parse(JSON.stringify(out))).toBe(out)
      expect(/[\ud800-\udfff]/u.test(out)).toBe(false)
    }
  })
})

describe("truncatePrintable", () => {
  it.each([
    ["leaves short text alone", "abc", 3, "…", "abc"],
    ["ends a cut text with the marker, within the limit", "abcdef", 5, "…", "ab…"],
    ["does not split an escape", "a\\x00\\x01", 8, "", "a\\x00"],
    ["does not split a \\u escape", "a\\u0085", 6, "", "a"],
    ["does not split a character", "a😀", 4, "", "a"],
  ])("%s", (_what, text, maxBytes, marker, out) => {
    expect(truncatePrintable(text, maxBytes, marker)).toBe(out)
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(maxBytes)
  })
})
