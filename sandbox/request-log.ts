import type { Gateway } from "./faults"

/** One request the sandbox received on a gateway API or hosted page (control calls are not logged). */
export type LoggedRequest = {
  gateway: Gateway
  method: string
  /** SecPaid: the endpoint name ("createLink"); PayIn: "POST /orders", "GET /orders/:id", …; hosted pages: "GET /secpaid/payment", "POST /payin/pay/:id/transfer". */
  endpoint: string
  path: string
  /** HTTP status answered; 0 when the sandbox hung up without answering (hang fault). */
  status: number
  /** Parsed body (JSON value or form fields); the raw text is in rawBody. */
  body: unknown
  rawBody: string
  query: Record<string, string>
  headers: Record<string, string>
  at: string
  /** Which injected fault, if any, shaped the answer. */
  fault?: string
}

const MAX_ENTRIES = 5000

export class RequestLog {
  private entries: LoggedRequest[] = []

  add(entry: LoggedRequest): void {
    this.entries.push(entry)
    if (this.entries.length > MAX_ENTRIES) this.entries.splice(0, this.entries.length - MAX_ENTRIES)
  }

  list(filter: { gateway?: string; endpoint?: string } = {}): LoggedRequest[] {
    return this.entries.filter(
      (e) => (!filter.gateway || e.gateway === filter.gateway) && (!filter.endpoint || e.endpoint === filter.endpoint)
    )
  }

  clear(): void {
    this.entries = []
  }
}
