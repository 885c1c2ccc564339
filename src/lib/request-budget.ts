import type { GatewayCallPriority } from "./gateway-call-context"

/**
 * A gateway's request budget — at most `limit` requests per sliding `windowMs` for each
 * key (a hash of the API key) — spent by priority, so that anonymous traffic can never
 * spend what a shopper's checkout needs:
 *
 *  - each priority must leave a reserve of free slots behind it (checkout: none), and the
 *    store checks that reserve in the same atomic step that takes the slot;
 *  - waiters of this process are served highest priority first, FIFO within a priority;
 *  - the queue is bounded and every wait has a deadline, so a call is refused with
 *    `BudgetExhaustedError` instead of hanging.
 *
 * Where the used slots live is a `SlotStore`: this process's memory, or a table every
 * instance of the store shares (then the limit holds for all instances together).
 */

export type SlotRequest = {
  limit: number
  windowMs: number
  /** Free slots that must remain after this one is taken (kept for higher priorities). */
  reserve: number
}

/** A slot was taken, or none may be taken yet and `retryInMs` says when enough will be free. */
export type SlotGrant = { taken: true } | { taken: false; retryInMs: number }

export interface SlotStore {
  /**
   * Takes one slot of `key` if more than `reserve` are free, as one atomic step. A slot
   * is free when it was last used more than `windowMs` ago.
   */
  take(key: string, request: SlotRequest): Promise<SlotGrant>
}

export type BudgetPolicy = {
  /** Slots a call of each priority must leave free. */
  reserves: Record<GatewayCallPriority, number>
  /** How long a call of each priority may wait for a slot before it is refused. */
  maxWaitMs: Record<GatewayCallPriority, number>
  /** Waiters per key in this process; one more refuses the newest waiter of the lowest priority. */
  maxWaiters: number
}

export type RequestBudgetOptions = BudgetPolicy & {
  store: SlotStore
  limit: number
  windowMs: number
  /** Longest single sleep while waiting: slots freed by other instances are noticed this soon. Default 1000. */
  maxPollMs?: number
  /** Injected for tests; default Date.now and setTimeout. */
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export type BudgetRefusal = "queue_full" | "timeout"

/** A call got no slot: too many were already waiting, or none came free in time. */
export class BudgetExhaustedError extends Error {
  constructor(
    readonly reason: BudgetRefusal,
    readonly priority: GatewayCallPriority,
    readonly waitedMs: number,
    readonly limit: number,
    readonly windowMs: number
  ) {
    super(
      reason === "timeout"
        ? `No request of the budget of ${limit} per ${windowMs / 1000} s came free within ${waitedMs} ms for this ${priority} call; try again later.`
        : `Too many ${priority} or more urgent calls were already waiting for the budget of ${limit} requests per ${windowMs / 1000} s; try again later.`
    )
    this.name = "BudgetExhaustedError"
  }
}

/**
 * Serving order. Background before anonymous: background work is bounded by this
 * plugin's own code (reconciliation pages, a few link deletions), while anonymous
 * work is triggered by strangers and could otherwise keep reconciliation — which
 * recovers lost webhooks — waiting for ever.
 */
const RANK: Record<GatewayCallPriority, number> = { checkout: 0, verification: 1, background: 2, anonymous: 3 }

type Waiter = {
  priority: GatewayCallPriority
  rank: number
  enqueuedAt: number
  deadline: number
  resolve: () => void
  reject: (error: unknown) => void
}

type KeyState = { queue: Waiter[]; pumping: boolean; wake?: () => void }

const unrefSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref())

export class RequestBudget {
  private readonly keys = new Map<string, KeyState>()
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>
  private readonly maxPollMs: number

  constructor(private readonly options: RequestBudgetOptions) {
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? unrefSleep
    this.maxPollMs = options.maxPollMs ?? 1_000
  }

  /** Resolves when the caller may send one request for `key`; rejects with `BudgetExhaustedError`. */
  acquire(key: string, priority: GatewayCallPriority): Promise<void> {
    let state = this.keys.get(key)
    if (!state) {
      state = { queue: [], pumping: false }
      this.keys.set(key, state)
    }
    const queue = state.queue
    return new Promise<void>((resolve, reject) => {
      const now = this.now()
      const waiter: Waiter = { priority, rank: RANK[priority], enqueuedAt: now, deadline: now + this.options.maxWaitMs[priority], resolve, reject }
      if (queue.length >= this.options.maxWaiters) {
        const last = queue[queue.length - 1]
        if (last.rank <= waiter.rank) return reject(this.refusal(waiter, "queue_full", now))
        queue.pop()
        last.reject(this.refusal(last, "queue_full", now))
      }
      let at = queue.length
      while (at > 0 && queue[at - 1].rank > waiter.rank) at--
      queue.splice(at, 0, waiter)
      if (!state.pumping) void this.pump(key, state)
      // A new head may be entitled to a slot the current one is not (a smaller reserve).
      else if (at === 0) state.wake?.()
    })
  }

  /** Calls of this process waiting for a slot of `key`, for diagnostics. */
  waiting(key: string): number {
    return this.keys.get(key)?.queue.length ?? 0
  }

  /**
   * One loop per key serves the queue's head. Only the head is asked for: a waiter
   * behind it has the same or a lower priority, hence the same or a larger reserve.
   */
  private async pump(key: string, state: KeyState): Promise<void> {
    state.pumping = true
    try {
      for (;;) {
        const head = state.queue[0]
        if (!head) return
        let grant: SlotGrant
        try {
          grant = await this.options.store.take(key, {
            limit: this.options.limit,
            windowMs: this.options.windowMs,
            reserve: this.options.reserves[head.priority],
          })
        } catch (error) {
          this.remove(state, head)
          head.reject(error)
          continue
        }
        if (grant.taken) {
          this.remove(state, head)
          head.resolve()
          continue
        }
        const now = this.now()
        const earliestDeadline = Math.min(...state.queue.map((w) => w.deadline))
        await this.nap(state, Math.max(1, Math.min(this.maxPollMs, grant.retryInMs, earliestDeadline - now)))
        // Only after a refusal: every waiter that reaches the head is asked for at least once,
        // so a wait of 0 means "only if a request is free now".
        this.expire(state)
      }
    } finally {
      state.pumping = false
      if (!state.queue.length) this.keys.delete(key)
    }
  }

  private nap(state: KeyState, ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      let done = false
      const finish = () => {
        if (done) return
        done = true
        state.wake = undefined
        resolve()
      }
      state.wake = finish
      this.sleep(ms).then(finish, finish)
    })
  }

  private expire(state: KeyState): void {
    const now = this.now()
    for (const waiter of [...state.queue]) {
      if (waiter.deadline > now) continue
      this.remove(state, waiter)
      waiter.reject(this.refusal(waiter, "timeout", now))
    }
  }

  private remove(state: KeyState, waiter: Waiter): void {
    const index = state.queue.indexOf(waiter)
    if (index >= 0) state.queue.splice(index, 1)
  }

  private refusal(waiter: Waiter, reason: BudgetRefusal, now: number): BudgetExhaustedError {
    return new BudgetExhaustedError(reason, waiter.priority, now - waiter.enqueuedAt, this.options.limit, this.options.windowMs)
  }
}

/**
 * Slots in this process's memory: the same rules as the shared table, for a process
 * without the plugin module (unit tests, a store that left the module out). Each key
 * keeps the times its slots were used within the last window.
 */
export class MemorySlotStore implements SlotStore {
  private readonly used = new Map<string, number[]>()

  constructor(private readonly now: () => number = Date.now) {}

  async take(key: string, { limit, windowMs, reserve }: SlotRequest): Promise<SlotGrant> {
    const now = this.now()
    // Inclusive on purpose: a slot used exactly one window ago still counts, so we
    // never race a gateway that counts its window the other way.
    const stamps = (this.used.get(key) ?? []).filter((t) => t >= now - windowMs)
    this.used.set(key, stamps)
    const free = limit - stamps.length
    if (free > reserve) {
      stamps.push(now)
      return { taken: true }
    }
    // The slot whose release makes `reserve + 1` free: the (reserve + 1 - free)-th oldest used one.
    const releasing = stamps[reserve - free]
    return { taken: false, retryInMs: releasing === undefined ? windowMs : releasing + windowMs + 1 - now }
  }
}
