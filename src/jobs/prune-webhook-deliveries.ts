import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"

/**
 * Every hour (where workerMode is worker or shared): the webhook delivery log loses
 * the rows older than the module option `deliveryLogRetentionDays` (default 30,
 * env PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS; 0 keeps it forever). Every
 * delivery adds a row, so without this the table grows as long as the shop runs.
 * The deletes come in bounded batches (see `pruneWebhookDeliveries`); the inbox of
 * webhook events is never pruned.
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
}

export const config = {
  name: "payment-gateways-prune-webhook-deliveries",
  schedule: "17 * * * *",
}
