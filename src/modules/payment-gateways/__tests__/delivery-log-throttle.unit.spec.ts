import type { DeliveryVerdict } from "../models/webhook-delivery"
import { DeliveryLogThrottle, FOLDED_SOURCE, type ThrottledDelivery } from "../delivery-log-throttle"

const LIMITS = { windowMs: 60_000, rowWindowMs: 60_000, perSourcePerRowWindow: 3, perGatewayPerRowWindow: 5, maxAggregateKeys: 2 }
const T0 = Date.UTC(2026, 10, 22, 12, 0, 0)

function throttleAt(start = T0) {
  let now = start
  const throttle = new DeliveryLogThrottle(LIMITS, () => now)
  return { throttle, setNow: (t: number) => (now = t) }
}

const delivery = (source: string, verdict: DeliveryVerdict = "signature_mismatch", extra: Partial<ThrottledDelivery> = {}): ThrottledDelivery => ({
  gateway: "payin",
  source,
  verdict,
  httpStatus: verdict === "parse_error" ? 400 : 401,
  bodyBytes: 10,
  ...extra,
})

describe("DeliveryLogThrottle", () => {
  it.each([
    // what, deliveries (source:verdict), decisions
    ["the first deliveries of a source get rows, the rest are counted", ["a", "a", "a", "a", "a"], ["record", "record", "record", "aggregated", "aggregated"]],
    ["another source has its own allowance", ["a", "a", "a", "a", "b"], ["record", "record", "record", "aggregated", "record"]],
    ["the gateway's cap holds against rotating sources", ["a", "b", "c", "d", "e", "f", "g"], ["record", "record", "record", "record", "record", "aggregated", "aggregated"]],
    ["accepted and store_failed always get rows and use no allowance", ["a:accepted", "a:store_failed", "a", "a:accepted", "a", "a", "a", "a:store_failed"], ["record", "record", "record", "record", "record", "record", "aggregated", "record"]],
    ["duplicates, parse errors and oversized bodies are throttled like rejections", ["a:duplicate", "a:parse_error", "a:too_large", "a:duplicate"], ["record", "record", "record", "aggregated"]],
  ])("%s", (_what, sent, decisions) => {
    const { throttle } = throttleAt()
    const got = sent.map((s) => {
      const [source, verdict] = s.split(":")
      return throttle.admit(delivery(source, (verdict as DeliveryVerdict) ?? "signature_mismatch"))
    })
    expect(got).toEqual(decisions)
  })

  it("full rows are allowed per row window (an hour by default), counts per minute: a slow flood gets no row per post", () => {
    let now = T0
    const throttle = new DeliveryLogThrottle({ ...LIMITS, rowWindowMs: 3_600_000 }, () => now)
    const decisions: string[] = []
    for (let minute = 0; minute < 10; minute++) {
      now = T0 + minute * 60_000
      decisions.push(throttle.admit(delivery("a")))
    }
    expect(decisions.filter((d) => d === "record")).toHaveLength(LIMITS.perSourcePerRowWindow)
    // Every minute that closed with a count became one count row.
    expect(throttle.takeClosedWindows().map((r) => r.count)).toEqual(Array(10 - LIMITS.perSourcePerRowWindow - 1).fill(1))
    now = T0 + 3_600_000
    expect(throttle.admit(delivery("a"))).toBe("record")
  })

  it("keeps the gateways apart", () => {
    const { throttle } = throttleAt()
    for (let i = 0; i < 5; i++) expect(throttle.admit(delivery(`p${i}`))).toBe("record")
    expect(throttle.admit(delivery("p9"))).toBe("aggregated")
    expect(throttle.admit(delivery("s0", "parse_error", { gateway: "secpaid" }))).toBe("record")
  })

  it("counts per (gateway, source, verdict, status) and hands a window's counts over once, after it closed", () => {
    const { throttle, setNow } = throttleAt()
    for (let i = 0; i < 3; i++) throttle.admit(delivery("a"))
    setNow(T0 + 1_000)
    throttle.admit(delivery("a", "signature_mismatch", { detail: "first", bodyBytes: 50 }))
    setNow(T0 + 2_000)
    throttle.admit(delivery("a", "signature_mismatch", { detail: "second", bodyBytes: 70 }))
    throttle.admit(delivery("a", "parse_error"))
    setNow(T0 + 59_999)
    throttle.admit(delivery("a", "signature_mismatch", { bodyBytes: 5 }))

    expect(throttle.takeClosedWindows()).toEqual([])
    setNow(T0 + 60_000)
    const closed = throttle.takeClosedWindows()
    expect(closed).toEqual([
      {
        gateway: "payin",
        source: "a",
        verdict: "signature_mismatch",
        httpStatus: 401,
        count: 3,
        firstReceivedAt: new Date(T0 + 1_000),
        lastReceivedAt: new Date(T0 + 59_999),
        detail: "first",
        largestBodyBytes: 70,
      },
      expect.objectContaining({ source: "a", verdict: "parse_error", httpStatus: 400, count: 1 }),
    ])
    expect(throttle.takeClosedWindows()).toEqual([])
  })

  it("a new window gives every source its allowance back", () => {
    const { throttle, setNow } = throttleAt()
    for (let i = 0; i < 3; i++) throttle.admit(delivery("a"))
    expect(throttle.admit(delivery("a"))).toBe("aggregated")
    setNow(T0 + 60_000)
    expect(throttle.admit(delivery("a"))).toBe("record")
    // The previous window closed when the clock left it, even though nothing asked.
    expect(throttle.takeClosedWindows()).toEqual([expect.objectContaining({ source: "a", count: 1 })])
  })

  it(`beyond maxAggregateKeys, sources are folded into "${FOLDED_SOURCE}" per verdict and status`, () => {
    const { throttle, setNow } = throttleAt()
    for (let i = 0; i < 5; i++) throttle.admit(delivery(`r${i}`))
    for (let i = 0; i < 10; i++) throttle.admit(delivery(`x${i}`))
    for (let i = 0; i < 4; i++) throttle.admit(delivery(`y${i}`, "parse_error"))
    throttle.admit(delivery("x0"))
    expect(throttle.openKeys).toBe(4)
    setNow(T0 + 60_000)
    const rows = throttle.takeClosedWindows().map((r) => [r.source, r.verdict, r.count])
    expect(rows).toEqual([
      ["x0", "signature_mismatch", 2],
      ["x1", "signature_mismatch", 1],
      [FOLDED_SOURCE, "signature_mismatch", 8],
      [FOLDED_SOURCE, "parse_error", 4],
    ])
  })

  it("takeAll hands over the open window too, and never a count twice", () => {
    const { throttle, setNow } = throttleAt()
    for (let i = 0; i < 4; i++) throttle.admit(delivery("a"))
    setNow(T0 + 61_000)
    for (let i = 0; i < 5; i++) throttle.admit(delivery("a"))
    expect(throttle.takeAll().map((r) => r.count)).toEqual([1, 2])
    expect(throttle.takeAll()).toEqual([])
    expect(throttle.admit(delivery("a"))).toBe("aggregated")
    expect(throttle.takeAll().map((r) => r.count)).toEqual([1])
  })

  it("every delivery is either a row or in exactly one count", () => {
    const { throttle, setNow } = throttleAt()
    const verdicts: DeliveryVerdict[] = ["signature_mismatch", "parse_error", "duplicate", "accepted", "too_large"]
    let recorded = 0
    let sent = 0
    for (let i = 0; i < 2_000; i++) {
      setNow(T0 + i * 97)
      sent++
      const decision = throttle.admit(delivery(`s${(i * 7) % 13}`, verdicts[i % verdicts.length], { gateway: i % 3 ? "payin" : "secpaid" }))
      if (decision === "record") recorded++
      if (i % 500 === 0) recorded += throttle.takeClosedWindows().reduce((n, r) => n + r.count, 0)
    }
    recorded += throttle.takeAll().reduce((n, r) => n + r.count, 0)
    expect(recorded).toBe(sent)
  })
})
