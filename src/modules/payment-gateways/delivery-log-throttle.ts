import type { DeliveryVerdict } from "./models/webhook-delivery"
import type { GatewayId } from "./models/webhook-event"

/**
 * Which deliveries get a row of their own in the delivery log, and which are only
 * counted. Anyone can post to the webhook routes; without this every forged post
 * would add a row. Accepted events and failed stores always get their row (the inbox
 * bounds them, and each must be visible). Every other verdict (rejections, duplicates,
 * too large) gets its own row for the first `perSourcePerWindow` deliveries of one
 * (gateway, source address) in a window, and for at most `perGatewayPerWindow` of a
 * gateway in a window, so that rotating or spoofed addresses (`req.ip` comes from
 * X-Forwarded-For) buy nothing. The rest is counted per (gateway, source, verdict, HTTP
 * status) and becomes ONE row per key once its window has closed; beyond
 * `maxAggregateKeys` keys per window, sources are folded into `*`.
 *
 * Pure: the clock is handed in; the caller writes what `takeClosedWindows` returns.
 * Counts live in this process (each Medusa instance has its own caps).
 */
export type DeliveryLogThrottleLimits = {
  windowMs: number
  perSourcePerWindow: number
  perGatewayPerWindow: number
  maxAggregateKeys: number
}

/** 20 a minute is more than a gateway ever retries one event; 200 a minute per gateway is a busy shop's genuine burst. */
export const DELIVERY_LOG_THROTTLE_LIMITS: DeliveryLogThrottleLimits = {
  windowMs: 60_000,
  perSourcePerWindow: 20,
  perGatewayPerWindow: 200,
  maxAggregateKeys: 250,
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

type Window = {
  start: number
  rowsPerSource: Map<string, number>
  rowsPerGateway: Map<GatewayId, number>
  aggregates: Map<string, AggregatedDeliveries>
  /** Folded keys: bounded by gateways × verdicts × statuses, so outside `maxAggregateKeys`. */
  folded: Map<string, AggregatedDeliveries>
}

export class DeliveryLogThrottle {
  private window_: Window
  private closed_: AggregatedDeliveries[] = []

  constructor(
    private readonly limits: DeliveryLogThrottleLimits = DELIVERY_LOG_THROTTLE_LIMITS,
    private readonly now: () => number = Date.now
  ) {
    this.window_ = this.openWindow(this.windowStart(now()))
  }

  /** "record": write this delivery as its own row now; "aggregated": it was counted. */
  admit(delivery: ThrottledDelivery): ThrottleDecision {
    if (ALWAYS_RECORDED.has(delivery.verdict)) return "record"
    const at = this.now()
    this.roll(at)
    const w = this.window_
    const sourceKey = `${delivery.gateway} ${delivery.source}`
    const fromSource = w.rowsPerSource.get(sourceKey) ?? 0
    const fromGateway = w.rowsPerGateway.get(delivery.gateway) ?? 0
    if (fromSource < this.limits.perSourcePerWindow && fromGateway < this.limits.perGatewayPerWindow) {
      // Only sources that got a row are tracked: at most perGatewayPerWindow per gateway.
      w.rowsPerSource.set(sourceKey, fromSource + 1)
      w.rowsPerGateway.set(delivery.gateway, fromGateway + 1)
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

  private openWindow(start: number): Window {
    return { start, rowsPerSource: new Map(), rowsPerGateway: new Map(), aggregates: new Map(), folded: new Map() }
  }
}
