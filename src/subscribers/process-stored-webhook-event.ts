import type { SubscriberArgs, SubscriberConfig } from "@medusajs/framework"
import { WEBHOOK_EVENT_STORED } from "../modules/payment-gateways/receive-webhook"
import { processGatewayWebhookEvent } from "../workflows/process-gateway-webhook-event"

/**
 * Starts processing the moment a webhook event is stored (no 5 s wait as in core).
 * If this never runs (the process died, the event bus lost the message), the inbox
 * poller job finds the `received` row; the claim makes double runs harmless.
 */
export default async function processStoredWebhookEvent({ event, container }: SubscriberArgs<{ id: string }>) {
  if (typeof event.data?.id !== "string") return
  await processGatewayWebhookEvent(container, event.data.id)
}

export const config: SubscriberConfig = {
  event: WEBHOOK_EVENT_STORED,
  context: { subscriberId: "payment-gateways-process-stored-webhook-event" },
}
