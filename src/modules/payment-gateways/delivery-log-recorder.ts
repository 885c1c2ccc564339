import { DeliveryLogThrottle, type AggregatedDeliveries } from "./delivery-log-throttle"
import type { RecordDeliveryInput } from "./service"

/** What the recorder writes with: the module service's two inserts. */
export type DeliveryLogWriter = {
  recordDelivery(input: RecordDeliveryInput): Promise<void>
  recordAggregatedDeliveries(rows: AggregatedDeliveries[]): Promise<void>
}

export type WebhookDeliveryLogOptions = {
  throttle?: DeliveryLogThrottle
  /** How often counts of closed windows are written; a minute's counts appear at most this long after it ends. */
  flushEveryMs?: number
  warn?: (message: string) => void
}

/** Source address of a delivery whose request had none (a test's fake request). */
const UNKNOWN_SOURCE = "unknown"

/**
 * The delivery log's writer for the webhook routes: asks the throttle whether a
 * delivery gets its own row, writes it if so, and otherwise leaves it counted until a
 * timer writes the counts of every minute that has closed (one row per key). The timer
 * is `unref`'d (it never keeps a process alive) and runs only once something was
 * counted. Counts not yet written are lost if the process dies: they stand for
 * deliveries that were refused or already stored, never for an accepted event.
 */
export class WebhookDeliveryLog {
  private readonly throttle_: DeliveryLogThrottle
  private readonly flushEveryMs_: number
  private readonly warn_: (message: string) => void
  private timer_?: ReturnType<typeof setInterval>
  private flushing_: Promise<number> = Promise.resolve(0)

  constructor(
    private readonly writer: DeliveryLogWriter,
    options: WebhookDeliveryLogOptions = {}
  ) {
    this.throttle_ = options.throttle ?? new DeliveryLogThrottle()
    this.flushEveryMs_ = options.flushEveryMs ?? 15_000
    this.warn_ = options.warn ?? (() => undefined)
  }

  /** One delivery: its own row, or counted. `delivery` is already bounded (see `delivery-log-row.ts`). */
  async record(delivery: RecordDeliveryInput): Promise<"recorded" | "counted"> {
    const decision = this.throttle_.admit({
      gateway: delivery.gateway,
      source: delivery.remoteAddress ?? UNKNOWN_SOURCE,
      verdict: delivery.verdict,
      httpStatus: delivery.httpStatus,
      detail: delivery.detail,
      bodyBytes: delivery.bodyBytes,
    })
    if (decision === "record") {
      await this.writer.recordDelivery(delivery)
      return "recorded"
    }
    this.startTimer()
    return "counted"
  }

  /**
   * Writes the counts of the minutes that have closed (`includeOpenWindow`: of the
   * current minute too, for shutdown and tests). Flushes run one after the other, so
   * awaiting this also awaits a timer's flush in progress. Returns the rows written.
   */
  flush({ includeOpenWindow = false }: { includeOpenWindow?: boolean } = {}): Promise<number> {
    const next = this.flushing_.then(async () => {
      const rows = includeOpenWindow ? this.throttle_.takeAll() : this.throttle_.takeClosedWindows()
      if (!rows.length) return 0
      try {
        await this.writer.recordAggregatedDeliveries(rows)
        return rows.length
      } catch (error) {
        const deliveries = rows.reduce((n, r) => n + r.count, 0)
        this.warn_(`Could not write ${rows.length} rows counting ${deliveries} webhook deliveries to the delivery log (${(error as Error).message}).`)
        return 0
      }
    })
    this.flushing_ = next
    return next
  }

  /**
   * Writes every count held (the open minute's too) and starts the full-row allowances
   * afresh: for tests that restore the database between cases, so each case's deliveries
   * get their rows as on a quiet store.
   */
  async restart(): Promise<void> {
    await this.flush({ includeOpenWindow: true })
    this.throttle_.forgetRowAllowances()
  }

  /** Stops the timer (a module being shut down; tests). Counts still held stay until the next `flush`. */
  stop(): void {
    if (this.timer_) clearInterval(this.timer_)
    this.timer_ = undefined
  }

  private startTimer() {
    if (this.timer_) return
    this.timer_ = setInterval(() => void this.flush(), this.flushEveryMs_)
    this.timer_.unref?.()
  }
}
