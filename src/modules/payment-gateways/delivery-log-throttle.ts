import type { DeliveryVerdict } from "./models/webhook-delivery"
import type { GatewayId } from "./models/webhook-event"

/**
 * Which deliveries get a row of their own in the delivery log, and which are only
 * counted. Anyone can post to the webhook routes; without this every forged post
 * would add a row. Accepted events and failed stores always get their row (the inbox
 * bounds them, and each must be visible). Every other verdict (rejections, duplicates,
 * too large) gets its own row for the first `perSourcePerRowWindow` deliveries of one
 * (gateway, source address) in a row window (an hour), and for at most
 * `perGatewayPerRowWindow` of a gateway in it, so that rotating or spoofed addresses
 * (`req.ip` comes from X-Forwarded-For) buy nothing and a slow flood cannot add a full
 * row per post either. The rest is counted per (gateway, source, verdict, HTTP status)
 * and becomes ONE small row (no headers, no excerpt) per key once its counting window
 * (a minute) has closed; beyond `maxAggregateKeys` keys per minute, sources are folded
 * into `*`. So what anonymous posts can add per gateway is bounded in time, whatever
 * their rate: `perGatewayPerRowWindow` full rows an hour plus at most
 * `maxAggregateKeys` + a few folded rows a minute.
 *
 * Pure: the clock is handed in; the caller writes what `takeClosedWindows` returns.
 * Counts live in this process (each Medusa instance has its own caps).
 */
export type DeliveryLogThrottleLimits = {
  /** Counting window: counts become rows once it closes. */
  windowMs: number
  /** Window of the full-row allowances below. */
  rowWindowMs: number
  perSourcePerRowWindow: number
  perGatewayPerRowWindow: number
  maxAggregateKeys: number
}

/**
 * A genuine gateway's refused or repeated deliveries are few (retries of one event, a
 * misconfigured secret): 10 full rows an hour per source and 100 per gateway show
 * every such problem in detail; a flood is seen as counts. Worst case per gateway and
 * hour: 100 full rows (≤ 3.5 KB each) + 60 × ~55 count rows (~0.3 KB each) ≈ 1.3 MB.
 */
export const DELIVERY_LOG_THROTTLE_LIMITS: DeliveryLogThrottleLimits = {
  windowMs: 60_000,
  rowWindowMs: 3_600_000,
  perSourcePerRowWindow: 10,
  perGatewayPerRowWindow: 100,
  maxAggregateKeys: 50,
}

/** Source of the counts that no longer had a key of their own. */
export const FOLDED_SOURCE = "*"

const ALWAYS_RECORDED: ReadonlySet<DeliveryVerdict> = new Set(["accepted", "store_failed"])

export type ThrottledDelivery = {
  gateway: GatewayId
  /** Remote address as the route saw it (already bounded by the caller). */
  source: string
  verdict: DeliveryVerdict
  httpStatus: number
  detail?: string
  bodyBytes: number
}

/** Deliveries that were counted instead of stored, as one row. */
export type AggregatedDeliveries = {
  gateway: GatewayId
  source: string
  verdict: DeliveryVerdict
  httpStatus: number
  count: number
  firstReceivedAt: Date
  lastReceivedAt: Date
  /** The detail of the first of them (they share the verdict, rarely the wording). */
  detail?: string
  largestBodyBytes: number
}

export type ThrottleDecision = "record" | "aggregated"

type RowAllowance = {
  start: number
  rowsPerSource: Map<string, number>
  rowsPerGateway: Map<GatewayId, number>
}

type Window = {
  start: number
  aggregates: Map<string, AggregatedDeliveries>
  /** Folded keys: bounded by gateways × verdicts × statuses, so outside `maxAggregateKeys`. */
  folded: Map<string, AggregatedDeliveries>
}

export class DeliveryLogThrottle {
  private window_: Window
  private rows_: RowAllowance
  private closed_: AggregatedDeliveries[] = []

  constructor(
    private readonly limits: DeliveryLogThrottleLimits = DELIVERY_LOG_THROTTLE_LIMITS,
    private readonly now: () => number = Date.now
  ) {
    this.window_ = this.openWindow(this.windowStart(now()))
    this.rows_ = { start: this.rowWindowStart(now()), rowsPerSource: new Map(), rowsPerGateway: new Map() }
  }

  /** "record": write this delivery as its own row now; "aggregated": it was counted. */
  admit(delivery: ThrottledDelivery): ThrottleDecision {
    if (ALWAYS_RECORDED.has(delivery.verdict)) return "record"
    const at = this.now()
    this.roll(at)
    if (this.rowWindowStart(at) !== this.rows_.start) {
      this.rows_ = { start: this.rowWindowStart(at), rowsPerSource: new Map(), rowsPerGateway: new Map() }
    }
    const r = this.rows_
    const sourceKey = `${delivery.gateway} ${delivery.source}`
    const fromSource = r.rowsPerSource.get(sourceKey) ?? 0
    const fromGateway = r.rowsPerGateway.get(delivery.gateway) ?? 0
    if (fromSource < this.limits.perSourcePerRowWindow && fromGateway < this.limits.perGatewayPerRowWindow) {
      // Only sources that got a row are tracked: at most perGatewayPerRowWindow per gateway.
      r.rowsPerSource.set(sourceKey, fromSource + 1)
      r.rowsPerGateway.set(delivery.gateway, fromGateway + 1)
      return "record"
    }
    this.count(delivery, at)
    return "aggregated"
  }

  /** Counts of the windows that have closed by now, each key once; they are handed over only once. */
  takeClosedWindows(): AggregatedDeliveries[] {
    this.roll(this.now())
    const closed = this.closed_
    this.closed_ = []
    return closed
  }

  /** Everything counted so far, the open window's counts included (shutdown, tests); the open window starts afresh. */
  takeAll(): AggregatedDeliveries[] {
    const w = this.window_
    const all = [...this.takeClosedWindows(), ...w.aggregates.values(), ...w.folded.values()]
    w.aggregates = new Map()
    w.folded = new Map()
    return all
  }

  /** Starts the full-row allowances afresh (tests that begin from a restored database). Counts are kept. */
  forgetRowAllowances(): void {
    this.rows_ = { start: this.rowWindowStart(this.now()), rowsPerSource: new Map(), rowsPerGateway: new Map() }
  }

  /** Keys counted in the open window (what this process holds in memory). */
  get openKeys(): number {
    return this.window_.aggregates.size + this.window_.folded.size
  }

  private count(delivery: ThrottledDelivery, at: number) {
    const w = this.window_
    const key = `${delivery.gateway} ${delivery.source} ${delivery.verdict} ${delivery.httpStatus}`
    let target = w.aggregates.get(key)
    if (!target && w.aggregates.size < this.limits.maxAggregateKeys) {
      target = this.emptyAggregate(delivery, delivery.source, at)
      w.aggregates.set(key, target)
    }
    if (!target) {
      const foldedKey = `${delivery.gateway} ${delivery.verdict} ${delivery.httpStatus}`
      target = w.folded.get(foldedKey)
      if (!target) {
        target = this.emptyAggregate(delivery, FOLDED_SOURCE, at)
        w.folded.set(foldedKey, target)
      }
    }
    target.count++
    target.lastReceivedAt = new Date(at)
    target.largestBodyBytes = Math.max(target.largestBodyBytes, delivery.bodyBytes)
  }

  private emptyAggregate(delivery: ThrottledDelivery, source: string, at: number): AggregatedDeliveries {
    return {
      gateway: delivery.gateway,
      source,
      verdict: delivery.verdict,
      httpStatus: delivery.httpStatus,
      count: 0,
      firstReceivedAt: new Date(at),
      lastReceivedAt: new Date(at),
      detail: delivery.detail,
      largestBodyBytes: 0,
    }
  }

  /** Closes the open window once the clock has left it. */
  private roll(at: number) {
    const start = this.windowStart(at)
    if (start === this.window_.start) return
    this.closed_.push(...this.window_.aggregates.values(), ...this.window_.folded.values())
    this.window_ = this.openWindow(start)
  }

  private windowStart(at: number): number {
    return Math.floor(at / this.limits.windowMs) * this.limits.windowMs
  }

  private rowWindowStart(at: number): number {
    return Math.floor(at / this.limits.rowWindowMs) * this.limits.rowWindowMs
  }

  private openWindow(start: number): Window {
    return { start, aggregates: new Map(), folded: new Map() }
  }
}
