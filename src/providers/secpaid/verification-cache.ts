import type { SecPaidPayInTransaction } from "./responses"
import type { SecPaidLinkState } from "./payment-status"

/**
 * SecPaid's recent answers about one link, for the checks anyone can cause (browser
 * returns, cart completion): a flood of them for the same session costs SecPaid's
 * budget (60 requests a minute) at most one check per `unpaidTtlMs`, and concurrent
 * checks share one call. Evidence of a payment is kept for `paidTtlMs` (a shopper's
 * reloads after paying). Everyone else — webhook processing, reconciliation, staff,
 * refunds — asks SecPaid every time (`reuse: false`) and only refreshes what is kept.
 */
export type LinkEvidence = {
  rows: SecPaidPayInTransaction[]
  /** What the link lists said, when it was looked up (only needed while unpaid). */
  link?: SecPaidLinkState
  paid: boolean
  at: number
}

export type LinkEvidenceCacheOptions = {
  unpaidTtlMs?: number
  paidTtlMs?: number
  /** Links remembered at once; the oldest is forgotten first. */
  maxEntries?: number
  now?: () => number
}

export class LinkEvidenceCache {
  private readonly entries = new Map<string, LinkEvidence>()
  private readonly inFlight = new Map<string, Promise<LinkEvidence>>()
  private readonly unpaidTtlMs: number
  private readonly paidTtlMs: number
  private readonly maxEntries: number
  private readonly now: () => number

  constructor(options: LinkEvidenceCacheOptions = {}) {
    this.unpaidTtlMs = options.unpaidTtlMs ?? 10_000
    this.paidTtlMs = options.paidTtlMs ?? 60_000
    this.maxEntries = options.maxEntries ?? 10_000
    this.now = options.now ?? Date.now
  }

  /** Kept evidence recent enough to answer a check that accepts a recent answer. */
  usable(key: string): LinkEvidence | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    const age = this.now() - entry.at
    return age <= (entry.paid ? this.paidTtlMs : this.unpaidTtlMs) ? entry : undefined
  }

  remember(key: string, evidence: Omit<LinkEvidence, "at">): LinkEvidence {
    const entry = { ...evidence, at: this.now() }
    this.entries.delete(key)
    this.entries.set(key, entry)
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    return entry
  }

  /**
   * With `reuse`, recent evidence or the load in flight, else `load()`'s; without it,
   * always `load()`'s (which is then kept for those who reuse).
   */
  async get(key: string, reuse: boolean, load: () => Promise<Omit<LinkEvidence, "at">>): Promise<LinkEvidence> {
    if (reuse) {
      const cached = this.usable(key)
      if (cached) return cached
      const pending = this.inFlight.get(key)
      if (pending) return await pending
    }
    const loading = load().then((evidence) => this.remember(key, evidence))
    if (reuse) {
      this.inFlight.set(key, loading)
      void loading.then(
        () => this.inFlight.delete(key),
        () => this.inFlight.delete(key)
      )
    }
    return await loading
  }
}
