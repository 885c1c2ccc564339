/**
 * Text that PostgreSQL will always store (text and jsonb refuse NUL and invalid UTF-8)
 * and that a person can read, made from bytes or strings that came from outside.
 *
 * Valid UTF-8 is kept as it is. Everything else is escaped, and the escapes cannot be
 * confused with text that was sent:
 * - `\\` a backslash that was sent;
 * - `\xNN` a control character (C0 but tab, line feed and carriage return; DEL), or a
 *   byte that is not part of valid UTF-8 (`\xff`, a lone continuation byte, a sequence
 *   cut short by the end of the input);
 * - `\uNNNN` a C1 control character, or a lone UTF-16 surrogate in a JavaScript string.
 *
 * `maxBytes` bounds the UTF-8 size of the result; the cut falls between two characters or
 * escapes, never inside one.
 */
export function printableText(input: Uint8Array | string, maxBytes = Number.POSITIVE_INFINITY): string {
  const units = typeof input === "string" ? stringUnits(input) : byteUnits(input)
  return joinWithin(units, maxBytes)
}

/**
 * Cuts text made by `printableText` (or such text after redaction) to `maxBytes`
 * without splitting a character or an escape; `marker` (e.g. "…") ends a text that was cut.
 */
export function truncatePrintable(text: string, maxBytes: number, marker = ""): string {
  if (Buffer.byteLength(text) <= maxBytes) return text
  return joinWithin(printableUnits(text), maxBytes - Buffer.byteLength(marker)) + marker
}

function joinWithin(units: Iterable<string>, maxBytes: number): string {
  let out = ""
  let size = 0
  for (const unit of units) {
    const unitBytes = Buffer.byteLength(unit)
    if (size + unitBytes > maxBytes) break
    out += unit
    size += unitBytes
  }
  return out
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0")
const hex4 = (n: number) => n.toString(16).padStart(4, "0")

/** One code point as stored: itself, or its escape. */
function codePointUnit(cp: number): string {
  if (cp === 0x5c) return "\\\\"
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d) return String.fromCharCode(cp)
  if (cp < 0x20 || cp === 0x7f) return `\\x${hex2(cp)}`
  if (cp >= 0x80 && cp <= 0x9f) return `\\u${hex4(cp)}`
  if (cp >= 0xd800 && cp <= 0xdfff) return `\\u${hex4(cp)}`
  return String.fromCodePoint(cp)
}

function* stringUnits(text: string): Generator<string> {
  // for…of walks code points; a lone surrogate comes out as a single code unit.
  for (const char of text) yield codePointUnit(char.codePointAt(0)!)
}

/** Well-formed UTF-8 (Unicode, table 3-7): the allowed range of the second byte after each lead byte. */
function sequence(lead: number): { length: number; secondMin: number; secondMax: number } | undefined {
  if (lead >= 0xc2 && lead <= 0xdf) return { length: 2, secondMin: 0x80, secondMax: 0xbf }
  if (lead === 0xe0) return { length: 3, secondMin: 0xa0, secondMax: 0xbf }
  if (lead === 0xed) return { length: 3, secondMin: 0x80, secondMax: 0x9f }
  if (lead >= 0xe1 && lead <= 0xef) return { length: 3, secondMin: 0x80, secondMax: 0xbf }
  if (lead === 0xf0) return { length: 4, secondMin: 0x90, secondMax: 0xbf }
  if (lead >= 0xf1 && lead <= 0xf3) return { length: 4, secondMin: 0x80, secondMax: 0xbf }
  if (lead === 0xf4) return { length: 4, secondMin: 0x80, secondMax: 0x8f }
  return undefined
}

function* byteUnits(bytes: Uint8Array): Generator<string> {
  let i = 0
  while (i < bytes.length) {
    const lead = bytes[i]
    if (lead < 0x80) {
      yield codePointUnit(lead)
      i++
      continue
    }
    const seq = sequence(lead)
    const wellFormed =
      seq !== undefined &&
      i + seq.length <= bytes.length &&
      bytes[i + 1] >= seq.secondMin &&
      bytes[i + 1] <= seq.secondMax &&
      bytes.subarray(i + 2, i + seq.length).every((b) => b >= 0x80 && b <= 0xbf)
    if (!wellFormed) {
      yield `\\x${hex2(lead)}`
      i++
      continue
    }
    let cp = lead & (0xff >> (seq.length + 1))
    for (let k = 1; k < seq.length; k++) cp = (cp << 6) | (bytes[i + k] & 0x3f)
    yield codePointUnit(cp)
    i += seq.length
  }
}

/** Units of text that is already printable: an escape (`\\`, `\xNN`, `\uNNNN`) or one code point. */
function* printableUnits(text: string): Generator<string> {
  let i = 0
  while (i < text.length) {
    if (text[i] === "\\") {
      const kind = text[i + 1]
      const length = kind === "x" ? 4 : kind === "u" ? 6 : 2
      yield text.slice(i, i + length)
      i += length
      continue
    }
    const char = String.fromCodePoint(text.codePointAt(i)!)
    yield char
    i += char.length
  }
}
