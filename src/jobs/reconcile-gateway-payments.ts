import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { reconcileGatewayPayments, reconcileOptionsFromEnv } from "../workflows/reconcile-gateway-payments"

/**
 * Every minute (where workerMode is worker or shared): payments still pending at
 * SecPaid/PayIn are re-checked in batches; paid ones become orders, abandoned
 * SecPaid links are deleted. Ages: PAYMENT_GATEWAYS_RECONCILE_AFTER_MS (default 10 min),
 * PAYMENT_GATEWAYS_ABANDONED_LINK_TTL_MS (default 24 h).
 */
export default async function reconcileGatewayPaymentsJob(container: MedusaContainer) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  try {
    const report = await reconcileGatewayPayments(container, reconcileOptionsFromEnv())
    const found = report.secpaid.paidFound + report.payin.paidFound + report.payin.closedFound + report.secpaid.linksDeleted
    if (found) logger.info(`Gateway reconciliation: ${JSON.stringify(report)}`)
    for (const gateway of [report.secpaid, report.payin]) {
      for (const [providerId, part] of Object.entries(gateway.registrations)) {
        if (part.unfinished) logger.warn(`Gateway reconciliation of ${providerId} did not finish (${part.unfinished}); it runs again next minute.`)
      }
    }
  } catch (error) {
    logger.warn(`Gateway reconciliation did not finish (${(error as Error).message}); it runs again next minute.`)
  }
}

export const config = {
  name: "payment-gateways-reconcile-gateway-payments",
  schedule: "* * * * *",
}
