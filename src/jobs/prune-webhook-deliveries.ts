import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"

/**
 * Every hour (where workerMode is worker or shared), two prunes, each in bounded batches:
 * - the webhook delivery log loses the rows older than the module option
 *   `deliveryLogRetentionDays` (default 30, env PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS);
 *   every delivery can add a row, so without this the table grows as long as the shop runs;
 * - the inbox loses the events processed into a no-op (`no_action_*`, `ignored_*`) longer
 *   ago than `ignoredEventRetentionDays` (default 7, env
 *   PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS): anyone can make the routes store such
 *   claims, and they moved no money. Events that did are never pruned.
 * 0 keeps either forever. One failing does not stop the other.
 */
export default async function pruneWebhookDeliveriesJob(container: MedusaContainer) {
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const { deleted, before } = await inbox.pruneWebhookDeliveries()
    if (deleted) logger.info(`Payment gateways: pruned ${deleted} webhook deliveries received before ${before?.toISOString()}.`)
  } catch (error) {
    logger.warn(`Payment gateways: the webhook delivery log could not be pruned (${(error as Error).message}); it is tried again next hour.`)
  }
  try {
    const { deleted, before } = await inbox.pruneIgnoredWebhookEvents()
    if (deleted) logger.info(`Payment gateways: pruned ${deleted} webhook events processed into no-ops before ${before?.toISOString()}.`)
  } catch (error) {
    logger.warn(`Payment gateways: webhook events processed into no-ops could not be pruned (${(error as Error).message}); it is tried again next hour.`)
  }
}

export const config = {
  name: "payment-gateways-prune-webhook-deliveries",
  schedule: "17 * * * *",
}
