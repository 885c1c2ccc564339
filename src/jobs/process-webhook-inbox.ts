import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"
import { processGatewayWebhookEvent } from "../workflows/process-gateway-webhook-event"

/**
 * The safety net of the inbox: every few seconds, events still `received` (the
 * process was killed between the 200 and processing), failed events whose retry
 * time has come, and events whose processing lock expired are processed. Runs where
 * `workerMode` is `worker` or `shared`. Interval: PAYMENT_GATEWAYS_INBOX_POLL_MS (default 5000).
 */
export default async function processWebhookInbox(container: MedusaContainer) {
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const ids = await inbox.listDueWebhookEventIds(50)
  for (const id of ids) {
    try {
      await processGatewayWebhookEvent(container, id)
    } catch (error) {
      logger.warn(`Inbox poller could not process webhook event ${id} (${(error as Error).message}); it stays queued.`)
    }
  }
}

const pollMs = Number.parseInt(process.env.PAYMENT_GATEWAYS_INBOX_POLL_MS ?? "", 10)

export const config = {
  name: "payment-gateways-process-webhook-inbox",
  schedule: { interval: Number.isSafeInteger(pollMs) && pollMs >= 500 ? pollMs : 5000 },
}
