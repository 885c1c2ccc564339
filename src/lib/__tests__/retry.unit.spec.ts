import { parseRetryAfter, withRetry } from "../retry"

describe("withRetry", () => {
  const noJitter = () => 0.999999

  it("retries while the decision allows it and returns the first success", async () => {
    const waits: number[] = []
    let calls = 0
    const result = await withRetry(
      async () => {
        calls++
        if (calls < 3) throw new Error("transient")
        return "ok"
      },
      { attempts: 5, baseDelayMs: 100, maxDelayMs: 10_000, decide: () => ({ retry: true }), sleep: async (ms) => void waits.push(ms), random: noJitter }
    )
    expect(result).toBe("ok")
    expect(calls).toBe(3)
    expect(waits).toEqual([99, 199])
  })

  it("does not retry an error the caller marks as unsafe to repeat", async () => {
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error("400")
        },
        { attempts: 5, baseDelayMs: 1, maxDelayMs: 1, decide: () => ({ retry: false }), sleep: async () => {} }
      )
    ).rejects.toThrow("400")
    expect(calls).toBe(1)
  })

  it("waits at least what the gateway asked for (Retry-After) and stops after the last attempt", async () => {
    const waits: number[] = []
    let calls = 0
    await expect(
      withRetry(
        async () => {
          calls++
          throw new Error("429")
        },
        { attempts: 3, baseDelayMs: 10, maxDelayMs: 50, decide: () => ({ retry: true, minDelayMs: 2000 }), sleep: async (ms) => void waits.push(ms), random: noJitter }
      )
    ).rejects.toThrow("429")
    expect(calls).toBe(3)
    expect(waits).toEqual([2000, 2000])
  })

  it("parses Retry-After in seconds and as an HTTP date", () => {
    expect(parseRetryAfter("3")).toBe(3000)
    const now = Date.parse("2026-01-01T00:00:00Z")
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:00:05 GMT", now)).toBe(5000)
    expect(parseRetryAfter("soon")).toBeUndefined()
    expect(parseRetryAfter(undefined)).toBeUndefined()
  })
})
