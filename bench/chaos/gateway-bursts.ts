import type { RunningSandbox } from "../../sandbox/server"
import type { Gateway } from "./plan"

/**
 * Gateway trouble in BURSTS: every few seconds the next 2–4 calls to one gateway
 * answer 429, 500, hang past the plugin's request timeout, or answer slowly. A burst
 * hits whatever is in flight at that moment — link / order creation of checkouts, the
 * inbox's verification calls — because the sandbox hands a fault to the next matching
 * call, whoever makes it.
 *
 * The sandbox runs in this process, so what was ACTUALLY applied is counted by
 * wrapping its fault injector and webhook dispatcher (no sandbox code changes).
 */

export type FaultKind = "429" | "500" | "hang" | "slow"

export type AppliedCounts = Record<string, number>

const CREATION: Record<Gateway, string> = { secpaid: "createLink", payin: "POST /orders" }
const VERIFICATION: Record<Gateway, string> = { secpaid: "getPayInTransactions", payin: "GET /orders/:id" }

/** Counts every fault and webhook behaviour the sandbox actually applies, by "<gateway> <kind> <endpoint>". */
export function instrumentSandbox(sandbox: RunningSandbox) {
  const faults: AppliedCounts = {}
  const webhookModes: AppliedCounts = {}
  const injector = sandbox.context.faults
  const take = injector.take.bind(injector)
  injector.take = (gateway, endpoint) => {
    const fault = take(gateway, endpoint)
    if (fault) {
      const key = `${gateway} ${fault.kind === "hang" ? "timeout" : fault.kind} ${endpoint}`
      faults[key] = (faults[key] ?? 0) + 1
    }
    return fault
  }
  // consumeBehaviour is private to the dispatcher; wrapping it is the only way to see which webhook got which mode.
  const dispatcher = sandbox.context.webhooks as unknown as { consumeBehaviour(g: Gateway): { mode: string } | undefined }
  const consume = dispatcher.consumeBehaviour.bind(dispatcher)
  dispatcher.consumeBehaviour = (gateway) => {
    const behaviour = consume(gateway)
    if (behaviour) {
      const key = `${gateway} ${behaviour.mode}`
      webhookModes[key] = (webhookModes[key] ?? 0) + 1
    }
    return behaviour
  }
  return { faults, webhookModes }
}

export type BurstOptions = {
  sandbox: RunningSandbox
  random: () => number
  /** The plugin's request timeout; a "hang" holds the socket longer than this, so the plugin times out. */
  requestTimeoutMs: number
  /** Average pause between bursts. */
  everyMs: number
  log: (line: string) => void
}

/** Starts injecting bursts; the returned function stops, clears what is left and resolves with the bursts injected. */
export function startGatewayBursts({ sandbox, random, requestTimeoutMs, everyMs, log }: BurstOptions) {
  const injected: Array<{ gateway: Gateway; kind: FaultKind; count: number; endpoint: string }> = []
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)]

  const burst = () => {
    // Unconsumed faults would pile up while the store is down; let them drain first.
    if (sandbox.context.faults.list().length < 2) {
      const gateway = pick(["secpaid", "payin"] as const)
      const kind = pick(["429", "500", "hang", "slow"] as const)
      const target = random()
      const endpoint = target < 0.4 ? undefined : target < 0.7 ? CREATION[gateway] : VERIFICATION[gateway]
      const count = 2 + Math.floor(random() * 3)
      sandbox.context.faults.add({
        gateway,
        kind,
        count,
        ...(endpoint ? { endpoint } : {}),
        retryAfterSeconds: 1,
        delayMs: kind === "hang" ? requestTimeoutMs + 2000 : 1500,
        // Half the timeouts on creation happen AFTER the gateway did the work: a link / order exists that the plugin never heard of.
        afterProcessing: kind === "hang" && endpoint === CREATION[gateway] && random() < 0.5,
      })
      injected.push({ gateway, kind, count, endpoint: endpoint ?? "any" })
      log(`burst: next ${count} ${gateway} calls${endpoint ? ` to ${endpoint}` : ""} → ${kind === "hang" ? "timeout" : kind}`)
    }
    schedule()
  }
  const schedule = () => {
    if (stopped) return
    timer = setTimeout(burst, everyMs * (0.5 + random()))
  }
  schedule()

  return () => {
    stopped = true
    if (timer) clearTimeout(timer)
    sandbox.context.faults.clear()
    return injected
  }
}
