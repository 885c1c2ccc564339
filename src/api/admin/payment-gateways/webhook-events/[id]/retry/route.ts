import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../../../modules/payment-gateways/service"
import { processGatewayWebhookEvent } from "../../../../../../workflows/process-gateway-webhook-event"

/**
 * POST /admin/payment-gateways/webhook-events/:id/retry — puts a dead letter (or a
 * failed event) back with a fresh attempt budget and processes it now.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const id = req.params.id
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const requeued = await inbox.retryWebhookEvent(id)
  if (!requeued) {
    const [existing] = await inbox.listWebhookEvents({ id }, { select: ["id", "status"] })
    if (!existing) return res.status(404).json({ message: `There is no webhook event ${id}; check the id in the webhook event list.` })
    return res.status(409).json({
      message: `Webhook event ${id} is ${existing.status}; only failed events and dead letters can be retried.`,
    })
  }
  const result = await processGatewayWebhookEvent(req.scope, id)
  const [event] = await inbox.listWebhookEvents({ id })
  res.json({ webhook_event: { ...event, raw_body: undefined }, result })
}
