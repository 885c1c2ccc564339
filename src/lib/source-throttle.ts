/**
 * At most `limit` requests per `windowMs` for each source (an IP address), counted in
 * this process. It bounds what one source can make the store do on a public route
 * (each browser return may cost a gateway check); it is not a security boundary:
 * several instances count separately, and `req.ip` is only as trustworthy as the
 * proxy in front (Medusa trusts one proxy hop, X-Forwarded-For).
 *
 * Memory is bounded: at most `maxSources` sources are tracked; when full, the source
 * seen least recently is forgotten first.
 */
export type SourceThrottleOptions = {
  limit: number
  windowMs: number
  maxSources?: number
  now?: () => number
}

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number }

export class SourceThrottle {
  private readonly hits = new Map<string, number[]>()
  private readonly maxSources: number
  private readonly now: () => number

  constructor(private readonly options: SourceThrottleOptions) {
    this.maxSources = options.maxSources ?? 10_000
    this.now = options.now ?? Date.now
  }

  /** Counts one request of `source` and says whether it may go on. */
  take(source: string): ThrottleDecision {
    const now = this.now()
    const recent = (this.hits.get(source) ?? []).filter((t) => t > now - this.options.windowMs)
    this.hits.delete(source)
    if (recent.length >= this.options.limit) {
      this.hits.set(source, recent)
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((recent[0] + this.options.windowMs - now) / 1000)) }
    }
    recent.push(now)
    this.hits.set(source, recent)
    while (this.hits.size > this.maxSources) this.hits.delete(this.hits.keys().next().value as string)
    return { allowed: true }
  }
}
