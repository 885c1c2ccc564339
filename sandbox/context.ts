import type { SandboxClock } from "./clock"
import type { FaultInjector } from "./faults"
import type { RequestLog } from "./request-log"
import type { WebhookDispatcher } from "./webhook-delivery"
import type { SecPaidState } from "./secpaid/state"
import type { PayInState } from "./payin/state"

/** The running sandbox as its handlers see it. */
export type SandboxContext = {
  /** Public base URL without trailing slash (pay links and payment URLs start with it). */
  baseUrl: string
  clock: SandboxClock
  faults: FaultInjector
  log: RequestLog
  webhooks: WebhookDispatcher
  secpaid: SecPaidState
  payin: PayInState
  /** Saves state to the persistence file, if one is configured. */
  persist(): void
}
