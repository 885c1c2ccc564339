import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys, PaymentSessionStatus } from "@medusajs/framework/utils"
import { GATEWAY_LABELS } from "../../../../../../lib/gateway-settings"
import { isPaymentFullyCaptured } from "../../../../../../lib/payment-capture"
import { redact } from "../../../../../../lib/redact"
import { resolveGatewayProvider } from "../../../../../../modules/payment-gateways/gateway-providers"
import { reconcileGatewayPayments } from "../../../../../../workflows/reconcile-gateway-payments"
import { describeOrderGatewayPayment, gatewaySessionOf, loadOrderPayments } from "../../order-gateway-payment"

/**
 * POST /admin/payment-gateways/orders/:id/reverify — "Re-verify now": asks the
 * gateway, through the registered provider (so with the effective admin settings),
 * what it knows about this order's payment. When the gateway says paid but Medusa
 * still waits, the reconciliation workflow runs at once, which records the payment
 * through the same inbox processing as a webhook.
 */
export const POST = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const order = await loadOrderPayments(req.scope, req.params.id)
  if (!order) return res.status(404).json({ type: "not_found", message: `There is no order ${req.params.id}.` })
  const chosen = gatewaySessionOf(order)
  if (!chosen) return res.status(400).json({ type: "invalid_data", message: `Order ${order.id} was not paid through SecPaid or PayIn, so there is nothing to re-verify.` })
  const label = GATEWAY_LABELS[chosen.gateway]
  const provider = resolveGatewayProvider(req.scope, chosen.gateway, chosen.registration.providerId)
  if (!provider?.getPaymentStatus) {
    return res.status(409).json({
      type: "not_allowed",
      message: `The ${label} provider ${chosen.registration.providerId} is not registered in this store's payment module; add it to medusa-config.ts.`,
    })
  }

  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  let check: { ok: boolean; status?: string; message: string; reconciled?: boolean }
  try {
    const result = await provider.getPaymentStatus({ data: chosen.session.data ?? {} })
    const paid = result.status === PaymentSessionStatus.CAPTURED || result.status === PaymentSessionStatus.AUTHORIZED
    let reconciled = false
    if (paid && !isPaymentFullyCaptured(chosen.payment)) {
      await reconcileGatewayPayments(req.scope, { pendingAfterMs: 0, providerIds: [chosen.registration.providerId] })
      reconciled = true
    }
    check = {
      ok: true,
      status: result.status,
      reconciled,
      message: `${label} says the payment is ${result.status}${reconciled ? "; the payment is being recorded in Medusa" : ""}.`,
    }
  } catch (error) {
    check = { ok: false, message: (error as Error).message }
    logger.warn(`Payment gateways: re-verifying order ${order.id} with ${label} failed: ${check.message}`)
  }
  const payment = await describeOrderGatewayPayment(req.scope, order.id)
  res.json(redact({ check, payment, checked_at: new Date().toISOString() }))
}
