import type { SecPaidPayInTransaction } from "./responses"
import type { SecPaidLinkState } from "./payment-status"

/**
 * SecPaid's recent answers about one link, so that a flood of browser returns or
 * cart completions for the same session costs SecPaid's budget (60 requests a minute)
 * at most one verification per few seconds, and concurrent checks share one call.
 *
 * - Evidence of a payment (a successful payment row) may be reused by anyone for
 *   `paidTtlMs`: money that arrived does not go away within a minute, and the webhook
 *   path then completes the cart without asking SecPaid a second time.
 * - Evidence of no payment yet is reused only by callers that accept a slightly old
 *   answer (browser returns, cart completion) for `unpaidTtlMs`; webhook processing
 *   and reconciliation ask for `fresh` evidence and always ask SecPaid.
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

  /** The evidence a caller may use without asking SecPaid, if any. */
  usable(key: string, fresh: boolean): LinkEvidence | undefined {
    const entry = this.entries.get(key)
    if (!entry) return undefined
    const age = this.now() - entry.at
    if (entry.paid && age <= this.paidTtlMs) return entry
    if (!entry.paid && !fresh && age <= this.unpaidTtlMs) return entry
    return undefined
  }

  remember(key: string, evidence: Omit<LinkEvidence, "at">): LinkEvidence {
    const entry = { ...evidence, at: this.now() }
    this.entries.delete(key)
    this.entries.set(key, entry)
    while (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string)
    return entry
  }

  /**
   * Usable evidence, or `load()`'s. Callers that accept a recent answer share one
   * load in flight; a `fresh` caller always loads its own.
   */
  async get(key: string, fresh: boolean, load: () => Promise<Omit<LinkEvidence, "at">>): Promise<LinkEvidence> {
    const cached = this.usable(key, fresh)
    if (cached) return cached
    if (!fresh) {
      const pending = this.inFlight.get(key)
      if (pending) return await pending
    }
    const loading = load().then((evidence) => this.remember(key, evidence))
    if (!fresh) {
      this.inFlight.set(key, loading)
      void loading.then(
        () => this.inFlight.delete(key),
        () => this.inFlight.delete(key)
      )
    }
    return await loading
  }
}
