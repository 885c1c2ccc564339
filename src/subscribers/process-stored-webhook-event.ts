import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ConcurrencyLimit } from "../lib/concurrency-limit"
import { WEBHOOK_EVENT_STORED, whenWebhookRoutesAreQuiet } from "../modules/payment-gateways/receive-webhook"
import { processGatewayWebhookEvent } from "../workflows/process-gateway-webhook-event"

/**
 * Events of one gateway processed at once in this process
 * (PAYMENT_GATEWAYS_PROCESSING_CONCURRENCY, default 1).
 *
 * A single event is processed the moment it is stored either way; the bound matters in
 * a burst. Processing completes a cart — CPU and database work on the same event loop
 * that answers the webhooks — and PayIn gives up on a delivery after ~31 s of retries,
 * so quick answers come first and orders are created one after the other (measured in
 * docs/benchmarks.md: 114 deliveries were acknowledged at 8 events/s with unbounded
 * processing, 54/s with 2 at a time, 85/s with 1). The limit is per gateway so that a
 * slow or unreachable gateway, whose verification calls wait for their timeout, never
 * holds up the other gateway's orders.
 */
export function processingConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.PAYMENT_GATEWAYS_PROCESSING_CONCURRENCY ?? "", 10)
  return Number.isSafeInteger(n) && n >= 1 ? n : 1
}

/**
 * In a burst, an event's processing waits until no delivery is being received — at most
 * this long — so the deliveries still arriving are answered first. Measured with 150
 * paid orders' events at 8 concurrent deliveries: acknowledging ran at 0.4× the bare
 * route's rate while orders were created alongside, 0.8× with processing held back.
 */
const ACKNOWLEDGE_FIRST_MAX_WAIT_MS = 1000

const limits = new Map<string, ConcurrencyLimit>()
function limitFor(gateway: unknown): ConcurrencyLimit {
  const key = typeof gateway === "string" ? gateway : "unknown"
  let limit = limits.get(key)
  if (!limit) limits.set(key, (limit = new ConcurrencyLimit(processingConcurrency())))
  return limit
}

/**
 * Starts processing the moment a webhook event is stored (no 5 s wait as in core).
 * If this never runs (the process died, the event bus lost the message), the inbox
 * poller job finds the `received` row; the claim makes double runs harmless.
 */
export default async function processStoredWebhookEvent({ event, container }: SubscriberArgs<{ id: string; gateway?: string }>) {
  const id = event.data?.id
  if (typeof id !== "string") return
  await limitFor(event.data.gateway).run(async () => {
    await whenWebhookRoutesAreQuiet(ACKNOWLEDGE_FIRST_MAX_WAIT_MS)
    return processGatewayWebhookEvent(container, id)
  })
}

export const config: SubscriberConfig = {
  event: WEBHOOK_EVENT_STORED,
  context: { subscriberId: "payment-gateways-process-stored-webhook-event" },
}
