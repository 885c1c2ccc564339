import { SourceThrottle } from "../source-throttle"

describe("SourceThrottle", () => {
  it("lets `limit` requests of one source through per window, refuses the rest with the seconds until a slot frees", () => {
    let now = 0
    const throttle = new SourceThrottle({ limit: 3, windowMs: 60_000, now: () => now })
    for (let i = 0; i < 3; i++) {
      expect(throttle.take("10.0.0.1")).toEqual({ allowed: true })
      now += 1000
    }
    expect(throttle.take("10.0.0.1")).toEqual({ allowed: false, retryAfterSeconds: 57 })
    expect(throttle.take("10.0.0.2")).toEqual({ allowed: true })
    now = 60_001
    expect(throttle.take("10.0.0.1")).toEqual({ allowed: true })
  })

  it("refused requests do not extend the wait", () => {
    let now = 0
    const throttle = new SourceThrottle({ limit: 1, windowMs: 10_000, now: () => now })
    throttle.take("a")
    for (let i = 0; i < 100; i++) {
      now += 50
      expect(throttle.take("a").allowed).toBe(false)
    }
    now = 10_001
    expect(throttle.take("a").allowed).toBe(true)
  })

  it("tracks at most maxSources sources, forgetting the least recently seen", () => {
    let now = 0
    const throttle = new SourceThrottle({ limit: 1, windowMs: 60_000, maxSources: 2, now: () => now })
    throttle.take("a")
    throttle.take("b")
    throttle.take("c") // "a" is forgotten
    now += 1
    expect(throttle.take("a").allowed).toBe(true)
    expect(throttle.take("c").allowed).toBe(false)
  })
})
