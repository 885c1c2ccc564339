import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import type { IPaymentModuleService, Logger } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { z } from "zod"
import { completePaidCart, findCartAndOrderForSession } from "../../../../../lib/complete-paid-cart"
import { buildStorefrontRedirectUrl, renderPaymentStatusPage, type StorefrontRedirectParams } from "../../../../../lib/storefront-redirect"
import { resolveGatewayProvider } from "../../../../../modules/payment-gateways/gateway-providers"
import { handlePayInBrowserReturn } from "../../../../../providers/payin/browser-return"
import { settleExpiredOrderAwaitingPayment } from "../../../../../workflows/settle-expired-order-awaiting-payment"

/**
 * GET /hooks/payin/return/:session_id — where PayIn's hosted page sends the shopper
 * back. Verifies with PayIn (query parameters are not evidence), completes the cart
 * when paid, and redirects to the configured storefront (allowed origins only) or
 * renders a small status page when the shop configured none.
 */
const paramsSchema = z.object({ session_id: z.string().regex(/^payses_[A-Za-z0-9]+$/) })

export async function GET(req: MedusaRequest, res: MedusaResponse) {
  const logger = req.scope.resolve<Logger>(ContainerRegistrationKeys.LOGGER)
  const params = paramsSchema.safeParse(req.params)
  if (!params.success) {
    return sendOutcome(res, undefined, { status: "failed" }, 400)
  }
  const sessionId = params.data.session_id

  const paymentModule = req.scope.resolve<IPaymentModuleService>(Modules.PAYMENT)
  const [session] = await paymentModule.listPaymentSessions({ id: sessionId }, { select: ["id", "provider_id", "data"] })
  // The session's provider decides whether this is a PayIn session; its options and client are
  // the effective ones (admin-saved values over medusa-config), as for every other PayIn call.
  const provider = session ? resolveGatewayProvider(req.scope, "payin", session.provider_id) : undefined
  if (!session || !provider) {
    logger.warn(`PayIn return: no PayIn payment session ${sessionId}.`)
    return sendOutcome(res, undefined, { status: "failed" }, 404)
  }
  const { options, client } = await provider.gatewayRuntime()

  const redirectConfig = { storefrontReturnUrl: options.storefrontReturnUrl, allowedStorefrontOrigins: options.allowedStorefrontOrigins }
  try {
    const result = await handlePayInBrowserReturn({
      session,
      options,
      client,
      completePaidCart: (input) => completePaidCart(req.scope, input),
      findCartAndOrder: () => findCartAndOrderForSession(req.scope, sessionId),
      settleExpiredOrderAwaitingPayment: (expiry) => settleExpiredOrderAwaitingPayment(req.scope, { gateway: "payin", providerId: session.provider_id, sessionId, ...expiry }),
      logger,
    })
    return sendOutcome(res, redirectConfig, {
      status: result.status,
      cart_id: result.cartId,
      order_id: result.orderId,
      provider: "payin",
      payin_status: result.payinStatus,
    })
  } catch (error) {
    logger.error(`PayIn return for session ${sessionId} could not be verified: ${error instanceof Error ? error.message : String(error)}`)
    // PayIn could not be asked: say "pending", never "paid"; the webhook and reconciliation still run.
    const { cartId, orderId } = await findCartAndOrderForSession(req.scope, sessionId).catch(() => ({ cartId: undefined, orderId: undefined }))
    return sendOutcome(res, redirectConfig, { status: "pending", cart_id: cartId, order_id: orderId, provider: "payin" })
  }
}

function sendOutcome(
  res: MedusaResponse,
  config: Parameters<typeof buildStorefrontRedirectUrl>[0] | undefined,
  params: StorefrontRedirectParams,
  statusWithoutRedirect = 200
) {
  const target = config ? buildStorefrontRedirectUrl(config, params) : undefined
  res.setHeader("Cache-Control", "no-store")
  if (target) return res.redirect(303, target)
  res.status(statusWithoutRedirect).type("html").send(renderPaymentStatusPage(params))
}
