import { WebhookDeliveryLog, type DeliveryLogWriter } from "../delivery-log-recorder"
import { DeliveryLogThrottle, type AggregatedDeliveries } from "../delivery-log-throttle"
import type { RecordDeliveryInput } from "../service"

const T0 = Date.UTC(2026, 10, 22, 12, 0, 0)

function recorder(writerFails = false) {
  let now = T0
  const rows: RecordDeliveryInput[] = []
  const counted: AggregatedDeliveries[] = []
  const warnings: string[] = []
  const writer: DeliveryLogWriter = {
    recordDelivery: async (row) => void rows.push(row),
    recordAggregatedDeliveries: async (batch) => {
      if (writerFails) throw new Error("database down")
      counted.push(...batch)
    },
  }
  const throttle = new DeliveryLogThrottle({ windowMs: 60_000, rowWindowMs: 60_000, perSourcePerRowWindow: 2, perGatewayPerRowWindow: 100, maxAggregateKeys: 10 }, () => now)
  const log = new WebhookDeliveryLog(writer, { throttle, warn: (m) => void warnings.push(m) })
  return { log, rows, counted, warnings, setNow: (t: number) => (now = t) }
}

const forged = (remoteAddress: string): RecordDeliveryInput => ({ gateway: "payin", verdict: "signature_mismatch", httpStatus: 401, bodyBytes: 3, remoteAddress, bodyExcerpt: "abc" })

describe("WebhookDeliveryLog", () => {
  afterEach(() => jest.useRealTimers())

  it("writes rows within the caps, counts the rest, and writes the counts once the minute closed", async () => {
    const { log, rows, counted, setNow } = recorder()
    const results = []
    for (let i = 0; i < 5; i++) results.push(await log.record(forged("10.0.0.1")))
    results.push(await log.record({ ...forged("10.0.0.1"), verdict: "accepted", httpStatus: 200 }))
    expect(results).toEqual(["recorded", "recorded", "counted", "counted", "counted", "recorded"])
    expect(rows).toHaveLength(3)

    expect(await log.flush()).toBe(0)
    setNow(T0 + 60_000)
    expect(await log.flush()).toBe(1)
    expect(counted).toEqual([expect.objectContaining({ source: "10.0.0.1", verdict: "signature_mismatch", count: 3 })])
    expect(await log.flush({ includeOpenWindow: true })).toBe(0)
    log.stop()
  })

  it("includeOpenWindow writes the current minute's counts too", async () => {
    const { log, counted } = recorder()
    for (let i = 0; i < 4; i++) await log.record(forged(i % 2 ? "a" : "b"))
    await log.record(forged("a"))
    expect(await log.flush({ includeOpenWindow: true })).toBe(1)
    expect(counted.map((c) => [c.source, c.count])).toEqual([["a", 1]])
    log.stop()
  })

  it("a source without an address is counted as 'unknown'", async () => {
    const { log, counted } = recorder()
    for (let i = 0; i < 3; i++) await log.record({ ...forged("x"), remoteAddress: undefined })
    await log.flush({ includeOpenWindow: true })
    expect(counted.map((c) => c.source)).toEqual(["unknown"])
    log.stop()
  })

  it("a failed write is reported, not thrown", async () => {
    const { log, warnings } = recorder(true)
    for (let i = 0; i < 4; i++) await log.record(forged("a"))
    expect(await log.flush({ includeOpenWindow: true })).toBe(0)
    expect(warnings).toEqual([expect.stringMatching(/1 rows counting 2 webhook deliveries/)])
    log.stop()
  })

  it("a timer writes closed minutes by itself once something was counted", async () => {
    jest.useFakeTimers()
    const { log, counted, setNow } = recorder()
    for (let i = 0; i < 3; i++) await log.record(forged("a"))
    setNow(T0 + 60_000)
    jest.advanceTimersByTime(15_000)
    // The timer's flush took the closed minute; this one, queued behind it, finds nothing left.
    expect(await log.flush()).toBe(0)
    expect(counted.map((c) => c.count)).toEqual([1])
    log.stop()
  })
})
