import { AsyncLocalStorage } from "node:async_hooks"

/**
 * Who is asking a gateway, carried through async calls without threading a
 * parameter through Medusa's provider interface (Medusa calls `authorizePayment`,
 * `getPaymentStatus`… with its own arguments only).
 *
 * - `checkout`: a shopper's own payment being set up (link creation, deletion on a
 *   cart change, refunds by staff). Spends the gateway budget first.
 * - `verification`: checking a payment a session is really waiting for — a claim for
 *   a link this store issued, cart completion. The default when nothing says otherwise.
 * - `anonymous`: work any visitor can trigger by a request (browser-return routes);
 *   answered from the short-lived verdict cache where possible and spent last.
 * - `background`: reconciliation and housekeeping; spent last, never in front of a shopper.
 *
 * `source` is the address of the anonymous request behind the call, if any.
 * `freshVerification` asks the provider to skip its verdict cache (webhook processing
 * must see the gateway's answer of now, not one from a few seconds ago).
 */
export const GATEWAY_CALL_PRIORITIES = ["checkout", "verification", "anonymous", "background"] as const
export type GatewayCallPriority = (typeof GATEWAY_CALL_PRIORITIES)[number]

export type GatewayCallContext = {
  priority: GatewayCallPriority
  freshVerification?: boolean
  /**
   * The address of the anonymous request that caused the call (browser return, cart
   * completion): providers bound how many gateway checks one source can cause.
   */
  source?: string
  /**
   * What the gateway confirmed earlier in this same unit of work (one webhook event's
   * processing), by the provider's key: the payment check Medusa runs right after a
   * verified claim reuses it instead of asking the gateway a second time.
   */
  confirmed?: Map<string, unknown>
}

const DEFAULT_CONTEXT: GatewayCallContext = { priority: "verification" }

const storage = new AsyncLocalStorage<GatewayCallContext>()

/** Runs `fn` with the given context; gateway calls made inside it (however deep) see it. */
export function runGatewayCall<T>(context: GatewayCallContext, fn: () => T): T {
  return storage.run(context, fn)
}

/** The context of the gateway call being made now (`verification` when none was set). */
export function currentGatewayCall(): GatewayCallContext {
  return storage.getStore() ?? DEFAULT_CONTEXT
}
