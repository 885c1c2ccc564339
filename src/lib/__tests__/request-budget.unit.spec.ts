import type { GatewayCallPriority } from "../gateway-call-context"
import { BudgetExhaustedError, MemorySlotStore, RequestBudget, type BudgetPolicy } from "../request-budget"

/**
 * A clock that moves only when the test says so; `sleep` resolves when the clock passes
 * its end. Settling promises between steps lets the budget's loop run as it would.
 */
class ManualClock {
  time = 0
  private timers: Array<{ at: number; resolve: () => void }> = []
  readonly now = () => this.time
  readonly sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      this.timers.push({ at: this.time + ms, resolve })
    })

  async advance(ms: number): Promise<void> {
    const end = this.time + ms
    for (;;) {
      await settle()
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0]
      if (!due) break
      this.time = due.at
      this.timers = this.timers.filter((t) => t !== due)
      due.resolve()
    }
    this.time = end
    await settle()
  }
}

async function settle() {
  for (let i = 0; i < 20; i++) await Promise.resolve()
}

const POLICY: BudgetPolicy = {
  reserves: { checkout: 0, verification: 2, anonymous: 4, background: 4 },
  maxWaitMs: { checkout: 20_000, verification: 15_000, anonymous: 5_000, background: 10_000 },
  maxWaiters: 5,
}
/** For tests about order and windows, not about giving up. */
const PATIENT = { checkout: 600_000, verification: 600_000, anonymous: 600_000, background: 600_000 }

function setup(overrides: Partial<BudgetPolicy> & { limit?: number } = {}) {
  const clock = new ManualClock()
  const budget = new RequestBudget({
    ...POLICY,
    ...overrides,
    limit: overrides.limit ?? 6,
    windowMs: 60_000,
    store: new MemorySlotStore(clock.now),
    now: clock.now,
    sleep: clock.sleep,
  })
  const granted: string[] = []
  const refused: BudgetExhaustedError[] = []
  const ask = (label: string, priority: GatewayCallPriority) =>
    budget.acquire("key-a", priority).then(
      () => void granted.push(label),
      (error: BudgetExhaustedError) => void refused.push(error)
    )
  return { clock, budget, granted, refused, ask }
}

describe("RequestBudget over the memory store", () => {
  it("grants `limit` requests per window and the next one exactly one window after the first (+1 ms)", async () => {
    const { clock, granted, ask } = setup({ maxWaitMs: PATIENT })
    for (let i = 0; i < 6; i++) {
      void ask(`c${i}`, "checkout")
      await clock.advance(1_000)
    }
    expect(granted).toEqual(["c0", "c1", "c2", "c3", "c4", "c5"])
    void ask("late", "checkout")
    // The first slot was used at t=0; it frees strictly after t=60 000.
    await clock.advance(60_000 - clock.time)
    expect(granted).not.toContain("late")
    await clock.advance(1)
    expect(granted).toContain("late")
    expect(clock.time).toBe(60_001)
  })

  it("makes each priority leave its reserve free", async () => {
    const { clock, granted, refused, ask } = setup()
    // 6 slots: anonymous must leave 4, so only 2 anonymous calls go through now.
    for (let i = 0; i < 3; i++) void ask(`a${i}`, "anonymous")
    await clock.advance(0)
    expect(granted).toEqual(["a0", "a1"])
    // Verification must leave 2: with 4 free, two more go through, the third waits.
    for (let i = 0; i < 3; i++) void ask(`v${i}`, "verification")
    await clock.advance(0)
    expect(granted).toEqual(["a0", "a1", "v0", "v1"])
    // Checkout takes the last two slots.
    void ask("c0", "checkout")
    void ask("c1", "checkout")
    await clock.advance(0)
    expect(granted).toEqual(["a0", "a1", "v0", "v1", "c0", "c1"])
    expect(refused).toEqual([])
  })

  it("serves waiters highest priority first and FIFO within a priority", async () => {
    const { clock, granted, ask } = setup({ limit: 1, reserves: { checkout: 0, verification: 0, anonymous: 0, background: 0 }, maxWaiters: 10, maxWaitMs: PATIENT })
    void ask("first", "anonymous")
    await clock.advance(0)
    void ask("anon-1", "anonymous")
    void ask("background-1", "background")
    void ask("verify-1", "verification")
    void ask("anon-2", "anonymous")
    void ask("checkout-1", "checkout")
    void ask("verify-2", "verification")
    // One slot per minute: each waiter is served as the window slides.
    for (let i = 0; i < 6; i++) await clock.advance(60_001)
    expect(granted).toEqual(["first", "checkout-1", "verify-1", "verify-2", "background-1", "anon-1", "anon-2"])
  })

  it("serves a checkout at once while anonymous calls wait for their reserve", async () => {
    const { clock, granted, ask } = setup()
    for (let i = 0; i < 4; i++) void ask(`a${i}`, "anonymous")
    await clock.advance(100)
    expect(granted).toEqual(["a0", "a1"])
    void ask("checkout", "checkout")
    await clock.advance(0)
    expect(granted).toEqual(["a0", "a1", "checkout"])
  })

  it("refuses a waiter beyond the bound at once, evicting the newest lowest-priority one for a more urgent call", async () => {
    const { clock, refused, granted, ask } = setup({ limit: 1, maxWaiters: 3, maxWaitMs: PATIENT })
    void ask("c0", "checkout")
    await clock.advance(0)
    for (let i = 0; i < 3; i++) void ask(`a${i}`, "anonymous")
    void ask("a3", "anonymous")
    await clock.advance(0)
    expect(refused.map((e) => [e.reason, e.priority, e.waitedMs])).toEqual([["queue_full", "anonymous", 0]])
    void ask("c1", "checkout")
    await clock.advance(0)
    expect(refused.map((e) => e.reason)).toEqual(["queue_full", "queue_full"])
    expect(refused[1].priority).toBe("anonymous")
    await clock.advance(60_001)
    expect(granted).toEqual(["c0", "c1"])
  })

  it("refuses a waiter whose priority's wait ran out, with a sentence saying so", async () => {
    const { clock, refused, granted, ask } = setup({ limit: 1 })
    void ask("c0", "checkout")
    await clock.advance(0)
    void ask("a0", "anonymous")
    void ask("v0", "verification")
    await clock.advance(4_999)
    expect(refused).toEqual([])
    await clock.advance(1)
    expect(refused.map((e) => [e.reason, e.priority, e.waitedMs])).toEqual([["timeout", "anonymous", 5_000]])
    expect(refused[0]).toBeInstanceOf(BudgetExhaustedError)
    expect(refused[0].message).toBe("No request of the budget of 1 per 60 s came free within 5000 ms for this anonymous call; try again later.")
    await clock.advance(10_000)
    expect(refused.map((e) => e.priority)).toEqual(["anonymous", "verification"])
    expect(granted).toEqual(["c0"])
  })

  it("keeps separate budgets per key", async () => {
    const { budget } = setup({ limit: 1 })
    await budget.acquire("key-a", "checkout")
    await budget.acquire("key-b", "checkout")
    expect(budget.waiting("key-a")).toBe(0)
  })

  it("hands a store failure to the waiter it was for and serves the next one", async () => {
    const clock = new ManualClock()
    let calls = 0
    const budget = new RequestBudget({
      ...POLICY,
      limit: 6,
      windowMs: 60_000,
      now: clock.now,
      sleep: clock.sleep,
      store: {
        take: async () => {
          if (++calls === 1) throw new Error("database unreachable")
          return { taken: true }
        },
      },
    })
    const first = budget.acquire("k", "checkout")
    const second = budget.acquire("k", "checkout")
    await expect(first).rejects.toThrow("database unreachable")
    await expect(second).resolves.toBeUndefined()
  })
})

describe("MemorySlotStore", () => {
  it("says how long until enough slots free for the asked reserve", async () => {
    let now = 0
    const store = new MemorySlotStore(() => now)
    for (let i = 0; i < 3; i++) {
      expect(await store.take("k", { limit: 3, windowMs: 60_000, reserve: 0 })).toEqual({ taken: true })
      now += 10_000
    }
    // Used at 0, 10 000, 20 000; now 30 000. One free slot needs the first to age out; two free need the second.
    expect(await store.take("k", { limit: 3, windowMs: 60_000, reserve: 0 })).toEqual({ taken: false, retryInMs: 30_001 })
    expect(await store.take("k", { limit: 3, windowMs: 60_000, reserve: 1 })).toEqual({ taken: false, retryInMs: 40_001 })
  })
})
