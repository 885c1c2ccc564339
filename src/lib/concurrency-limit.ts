/**
 * At most `limit` tasks at a time in this process; the rest wait in arrival order.
 * The webhook inbox uses it so a burst of stored events is processed a few at a time
 * instead of all at once: every processing run completes a cart (CPU and database
 * work on the same event loop that answers the webhooks), so without a bound a burst
 * of deliveries would slow the acknowledgements the gateways are waiting for.
 */
export class ConcurrencyLimit {
  private running = 0
  private readonly waiting: Array<() => void> = []

  constructor(readonly limit: number) {
    if (!Number.isSafeInteger(limit) || limit < 1) throw new Error(`A concurrency limit must be a whole number of at least 1, not ${limit}.`)
  }

  /** Tasks running now / waiting for a slot. */
  get stats(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve))
    else this.running++
    try {
      return await task()
    } finally {
      // Hand the slot straight to the next waiter (running stays the same), or free it.
      const next = this.waiting.shift()
      if (next) next()
      else this.running--
    }
  }
}
