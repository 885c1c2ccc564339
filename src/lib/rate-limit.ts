/**
 * A sliding-window limiter: at most `limit` acquisitions per `windowMs` for each
 * key. `acquire` waits (FIFO) until a slot is free instead of failing, so a burst
 * of checkouts is smoothed to the gateway's published rate rather than turned
 * into 429s.
 */
export type RateLimiterOptions = {
  limit: number
  windowMs: number
  now?: () => number
  sleep?: (ms: number) => Promise<void>
}

export class SlidingWindowRateLimiter {
  private readonly stamps = new Map<string, number[]>()
  private readonly queues = new Map<string, Promise<void>>()
  private readonly now: () => number
  private readonly sleep: (ms: number) => Promise<void>

  constructor(private readonly options: RateLimiterOptions) {
    this.now = options.now ?? Date.now
    this.sleep = options.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)))
  }

  /** Resolves when the caller may send one request for `key`. */
  acquire(key: string): Promise<void> {
    const previous = this.queues.get(key) ?? Promise.resolve()
    const next = previous.then(() => this.take(key))
    // Keep the chain alive even if a waiter is abandoned.
    this.queues.set(key, next.catch(() => undefined))
    return next
  }

  /** Requests `key` may still send in the current window, for diagnostics. */
  remaining(key: string): number {
    return this.options.limit - this.prune(key).length
  }

  private prune(key: string): number[] {
    const cutoff = this.now() - this.options.windowMs
    // Inclusive on purpose: a call exactly one window after another still counts, so we
    // never race a gateway that counts its window the other way.
    const list = (this.stamps.get(key) ?? []).filter((t) => t >= cutoff)
    this.stamps.set(key, list)
    return list
  }

  private async take(key: string): Promise<void> {
    for (;;) {
      const list = this.prune(key)
      if (list.length < this.options.limit) {
        list.push(this.now())
        return
      }
      await this.sleep(Math.max(1, list[0] + this.options.windowMs - this.now()))
    }
  }
}
