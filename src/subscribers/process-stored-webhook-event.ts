import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { ConcurrencyLimit } from "../lib/concurrency-limit"
import { WEBHOOK_EVENT_STORED } from "../modules/payment-gateways/receive-webhook"
import { processGatewayWebhookEvent } from "../workflows/process-gateway-webhook-event"

/**
 * Events processed at once in this process (PAYMENT_GATEWAYS_PROCESSING_CONCURRENCY,
 * default 2). A single event is processed the moment it is stored either way; the bound
 * only matters in a burst, where it keeps the webhook routes answering quickly while
 * orders are created a few at a time (see src/lib/concurrency-limit.ts).
 */
export function processingConcurrency(env: NodeJS.ProcessEnv = process.env): number {
  const n = Number.parseInt(env.PAYMENT_GATEWAYS_PROCESSING_CONCURRENCY ?? "", 10)
  return Number.isSafeInteger(n) && n >= 1 ? n : 2
}

const limit = new ConcurrencyLimit(processingConcurrency())

/**
 * Starts processing the moment a webhook event is stored (no 5 s wait as in core).
 * If this never runs (the process died, the event bus lost the message), the inbox
 * poller job finds the `received` row; the claim makes double runs harmless.
 */
export default async function processStoredWebhookEvent({ event, container }: SubscriberArgs<{ id: string }>) {
  const id = event.data?.id
  if (typeof id !== "string") return
  await limit.run(() => processGatewayWebhookEvent(container, id))
}

export const config: SubscriberConfig = {
  event: WEBHOOK_EVENT_STORED,
  context: { subscriberId: "payment-gateways-process-stored-webhook-event" },
}
