/**
 * Injected faults: "the next N calls to <gateway>[/<endpoint>] answer 429 / 500 /
 * hang / slowly". Faults are consumed in the order they were added.
 */
export type Gateway = "secpaid" | "payin"
export type FaultKind = "429" | "500" | "hang" | "slow"

export type FaultSpec = {
  gateway: Gateway
  /** SecPaid endpoint name ("createLink") or PayIn "METHOD /path" ("POST /orders", "GET /orders/:id"); omitted = any. */
  endpoint?: string
  kind: FaultKind
  /** How many matching calls the fault affects (default 1). */
  count?: number
  /** For "slow": how long to wait before answering (default 2000 ms). For "hang": how long to hold the socket (default: the sandbox's hangMs). */
  delayMs?: number
  /** For "429": the Retry-After header in seconds (default 1). */
  retryAfterSeconds?: number
  /**
   * For "hang" and "slow": process the request first (the link or order IS created),
   * then hang / answer late. Models "the request timed out but the gateway did it".
   */
  afterProcessing?: boolean
}

export type ActiveFault = Required<Pick<FaultSpec, "gateway" | "kind">> & FaultSpec & { remaining: number }

export class FaultInjector {
  private faults: ActiveFault[] = []

  add(spec: FaultSpec): ActiveFault {
    const fault: ActiveFault = { ...spec, remaining: Math.max(1, Math.floor(spec.count ?? 1)) }
    this.faults.push(fault)
    return fault
  }

  /** The fault that applies to this call, consuming one use of it. */
  take(gateway: Gateway, endpoint: string): ActiveFault | undefined {
    const fault = this.faults.find(
      (f) => f.remaining > 0 && f.gateway === gateway && (f.endpoint === undefined || f.endpoint === endpoint)
    )
    if (!fault) return undefined
    fault.remaining -= 1
    this.faults = this.faults.filter((f) => f.remaining > 0)
    return { ...fault }
  }

  list(): ActiveFault[] {
    return this.faults.map((f) => ({ ...f }))
  }

  clear(): void {
    this.faults = []
  }
}
