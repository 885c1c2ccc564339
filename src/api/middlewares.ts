import { defineMiddlewares, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { verifyOrderPaymentForFulfillment } from "../workflows/verify-order-payment-for-fulfillment"

/**
 * Refuses `POST /admin/orders/:id/fulfillments` for SecPaid/PayIn orders whose payment
 * is not captured and confirmed by the gateway (the dashboard and any API client go
 * through this route).
 */
async function refuseUnverifiedFulfillment(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  const orderId = req.params?.id ?? /\/admin\/orders\/([^/]+)\/fulfillments/.exec(req.originalUrl ?? req.path)?.[1]
  if (!orderId) return next()
  try {
    const check = await verifyOrderPaymentForFulfillment(req.scope, orderId)
    if (!check.ok) return next(new MedusaError(MedusaError.Types.NOT_ALLOWED, check.reason))
    return next()
  } catch (error) {
    return next(error)
  }
}

export default defineMiddlewares({
  routes: [
    // The webhook routes read their own raw bytes (bounded, 413 beyond the limit) so that
    // every delivery — also an unparseable or oversized one — reaches the route and lands
    // in the delivery log; Medusa's body parser would answer those itself.
    { matcher: "/hooks/secpaid", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/payin", methods: ["POST"], bodyParser: false },
    { matcher: "/admin/orders/:id/fulfillments", methods: ["POST"], middlewares: [refuseUnverifiedFulfillment] },
  ],
})
