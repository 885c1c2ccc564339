import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { describeOrderGatewayPayment } from "../order-gateway-payment"

/**
 * GET /admin/payment-gateways/orders/:id — the order widget's data: `{ payment: null }`
 * when the order was not paid through SecPaid or PayIn.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const payment = await describeOrderGatewayPayment(req.scope, req.params.id)
  if (payment === undefined) return res.status(404).json({ type: "not_found", message: `There is no order ${req.params.id}.` })
  res.json({ payment })
}
