import { defineMiddlewares, type MedusaNextFunction, type MedusaRequest, type MedusaResponse } from "@medusajs/framework/http"
import { MedusaError } from "@medusajs/framework/utils"
import { runGatewayCall } from "../lib/gateway-call-context"
import { SourceThrottle } from "../lib/source-throttle"
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

/**
 * Browser returns are public and each may cost a gateway check (answered from a
 * verdict a few seconds old where possible): one source address gets 20 a minute per
 * process. A shopper returns once or twice; the order does not depend on this page
 * (the webhook and reconciliation place it), so a refused reload loses nothing.
 */
export const BROWSER_RETURNS_PER_SOURCE_PER_MINUTE = 20
const browserReturns = new SourceThrottle({ limit: BROWSER_RETURNS_PER_SOURCE_PER_MINUTE, windowMs: 60_000 })

const sourceOf = (req: MedusaRequest) => req.ip ?? req.socket?.remoteAddress ?? "unknown"

function throttleBrowserReturn(req: MedusaRequest, res: MedusaResponse, next: MedusaNextFunction) {
  const source = sourceOf(req)
  const decision = browserReturns.take(source)
  if (decision.allowed) return runGatewayCall({ priority: "anonymous", source }, () => next())
  res.setHeader("Retry-After", String(decision.retryAfterSeconds))
  res.setHeader("Cache-Control", "no-store")
  res
    .status(429)
    .type("text/plain")
    .send(`Too many payment checks from your address; wait ${decision.retryAfterSeconds} seconds and reload this page (a completed payment is not lost).`)
}

/**
 * Cart completion is public too (a publishable key is no secret) and verifies the
 * payment with the gateway: the checks it causes run as anonymous work carrying the
 * source address, so providers can answer from a recent verdict and bound the checks
 * one address causes. Nothing is refused here; other payment providers see no change.
 */
function markCartCompletionAnonymous(req: MedusaRequest, _res: MedusaResponse, next: MedusaNextFunction) {
  runGatewayCall({ priority: "anonymous", source: sourceOf(req) }, () => next())
}

export default defineMiddlewares({
  routes: [
    // The webhook routes read their own raw bytes (bounded, 413 beyond the limit) so that
    // every delivery — also an unparseable or oversized one — reaches the route and lands
    // in the delivery log; Medusa's body parser would answer those itself.
    { matcher: "/hooks/secpaid", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/payin", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/secpaid/:registration", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/payin/:registration", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/secpaid/return/:session_id", methods: ["GET"], middlewares: [throttleBrowserReturn] },
    { matcher: "/hooks/payin/return/:session_id", methods: ["GET"], middlewares: [throttleBrowserReturn] },
    { matcher: "/store/carts/:id/complete", methods: ["POST"], middlewares: [markCartCompletionAnonymous] },
    { matcher: "/admin/orders/:id/fulfillments", methods: ["POST"], middlewares: [refuseUnverifiedFulfillment] },
  ],
})
