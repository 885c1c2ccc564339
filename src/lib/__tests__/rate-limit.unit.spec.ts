import { SlidingWindowRateLimiter } from "../rate-limit"

describe("SlidingWindowRateLimiter", () => {
  it("lets `limit` calls through per window and makes the next one wait for the window to slide", async () => {
    let now = 0
    const slept: number[] = []
    const limiter = new SlidingWindowRateLimiter({
      limit: 3,
      windowMs: 60_000,
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms)
        now += ms
      },
    })
    for (let i = 0; i < 3; i++) {
      await limiter.acquire("key-a")
      now += 1000
    }
    expect(slept).toEqual([])
    await limiter.acquire("key-a")
    // The first call was at t=0; the 4th may go at t=60 001.
    expect(now).toBe(60_001)
    expect(limiter.remaining("key-a")).toBe(0)
    expect(limiter.remaining("key-b")).toBe(3)
  })

  it("keeps separate windows per key", async () => {
    const limiter = new SlidingWindowRateLimiter({ limit: 1, windowMs: 60_000, now: () => 0, sleep: async () => { throw new Error("should not wait") } })
    await limiter.acquire("a")
    await limiter.acquire("b")
    expect(limiter.remaining("a")).toBe(0)
  })
})
