import type { BigNumberValue, MedusaContainer } from "@medusajs/framework/types"
import { Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { z } from "zod"
import { completePaidCart, findCartAndOrderForSession } from "../../lib/complete-paid-cart"
import { resolveGatewayProvider } from "../../modules/payment-gateways/gateway-providers"
import {
  buildStorefrontRedirectUrl,
  renderPaymentStatusPage,
  type StorefrontPaymentOutcome,
  type StorefrontRedirectParams,
} from "../../lib/storefront-redirect"
import { SECPAID_IDENTIFIER } from "./options"
import type { SecPaidProviderService } from "./service"

/**
 * The customer's browser coming back from SecPaid's hosted page to
 * `/hooks/secpaid/return/<session_id>?pay_id=…&user_id=…&status=…`.
 *
 * Anyone can type that URL, so its `status` is never evidence: the session's link
 * is checked with SecPaid (getPayInTransactions), and only a verified payment
 * completes the cart — through the same workflow as the webhook, so whichever
 * arrives first places the one order. The customer is then sent to the
 * storefront (allowed origins only) or shown a small status page.
 */

export const secPaidReturnQuerySchema = z.object({
  pay_id: z.string().regex(/^\d{1,20}$/).optional().catch(undefined),
  user_id: z.string().max(200).optional().catch(undefined),
  status: z.string().max(40).optional().catch(undefined),
})
export type SecPaidReturnQuery = z.infer<typeof secPaidReturnQuerySchema>

export const secPaidSessionIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,100}$/)

/** Reads the query from the raw URL, tolerating `&amp;` separators (seen in SecPaid redirects). */
export function parseSecPaidReturnQuery(originalUrl: string): SecPaidReturnQuery {
  const queryStart = originalUrl.indexOf("?")
  const raw = queryStart === -1 ? "" : originalUrl.slice(queryStart + 1)
  const params = new URLSearchParams(raw.replace(/&amp;/gi, "&"))
  return secPaidReturnQuerySchema.parse({
    pay_id: params.get("pay_id") ?? undefined,
    user_id: params.get("user_id") ?? undefined,
    status: params.get("status") ?? undefined,
  })
}

export type SecPaidReturnResult =
  | { kind: "redirect"; location: string; params: StorefrontRedirectParams }
  | { kind: "page"; html: string; httpStatus: number; params: StorefrontRedirectParams }

type PaymentModuleSessions = {
  retrievePaymentSession(id: string, config?: Record<string, unknown>): Promise<{
    id: string
    provider_id: string
    data: Record<string, unknown> | null
    amount: BigNumberValue
    status: string
  }>
}

type Logger = { warn(msg: string): void; error(msg: string): void; info(msg: string): void }

export async function handleSecPaidReturn(
  container: MedusaContainer,
  input: { sessionId: string; originalUrl: string }
): Promise<SecPaidReturnResult> {
  const logger = container.resolve<Logger>("logger")
  const query = parseSecPaidReturnQuery(input.originalUrl)
  const paymentModule = container.resolve<PaymentModuleSessions>(Modules.PAYMENT)

  const session = await paymentModule.retrievePaymentSession(input.sessionId, {
    select: ["id", "provider_id", "data", "amount", "raw_amount", "status"],
  }).catch(() => undefined)
  if (!session || !session.provider_id.startsWith(`pp_${SECPAID_IDENTIFIER}_`)) {
    logger.warn(`SecPaid browser return for unknown session ${input.sessionId}; nothing verified, no order placed.`)
    return respond(undefined, { status: "failed" })
  }
  const provider = resolveProvider(container, session.provider_id)
  const sessionData = session.data ?? {}
  if (query.pay_id && query.pay_id !== sessionData.pay_id) {
    logger.warn(`SecPaid browser return for session ${session.id} names link ${query.pay_id}, not the session's link; the query is ignored.`)
  }

  const known = await findCartAndOrderForSession(container, session.id)
  if (known.orderId) {
    return respond(provider, { status: "paid", cart_id: known.cartId, order_id: known.orderId })
  }

  let status: PaymentSessionStatus | string
  try {
    ;({ status } = await provider.getPaymentStatus({ data: sessionData }))
  } catch (error) {
    // SecPaid unreachable or this store's request budget spent: the shopper sees "still checking";
    // the webhook and reconciliation place the order once the payment is confirmed.
    logger.warn(`SecPaid browser return for session ${session.id}: the payment could not be checked now (${(error as Error).message}).`)
    return respond(provider, { status: "pending", cart_id: known.cartId })
  }
  const outcome = outcomeOf(status)
  if (query.status && outcome !== "paid" && /success/i.test(query.status)) {
    logger.warn(`SecPaid browser return for session ${session.id} claims success, but SecPaid shows the link as ${status}: unverified, no order placed.`)
  }
  if (outcome !== "paid") {
    return respond(provider, { status: outcome, cart_id: known.cartId })
  }
  try {
    const placed = await completePaidCart(container, { sessionId: session.id, amount: session.amount })
    return respond(provider, { status: "paid", cart_id: placed.cartId ?? known.cartId, order_id: placed.orderId })
  } catch (error) {
    logger.error(`SecPaid browser return: the verified payment of session ${session.id} could not complete the cart (${(error as Error).message}); the webhook or the storefront can retry.`)
    return respond(provider, { status: "paid", cart_id: known.cartId })
  }
}

function outcomeOf(status: PaymentSessionStatus | string): StorefrontPaymentOutcome {
  switch (status) {
    case PaymentSessionStatus.CAPTURED:
    case PaymentSessionStatus.AUTHORIZED:
      return "paid"
    case PaymentSessionStatus.CANCELED:
      return "canceled"
    case PaymentSessionStatus.ERROR:
      return "failed"
    default:
      return "pending"
  }
}

async function respond(provider: SecPaidProviderService | undefined, params: StorefrontRedirectParams): Promise<SecPaidReturnResult> {
  const location = provider ? buildStorefrontRedirectUrl(await provider.storefrontRedirectConfig(), params) : undefined
  if (location) return { kind: "redirect", location, params }
  return { kind: "page", html: renderPaymentStatusPage(params), httpStatus: params.status === "failed" ? 400 : 200, params }
}

/** The provider instance the payment module registered as `pp_secpaid_<id>`. */
function resolveProvider(container: MedusaContainer, providerId: string): SecPaidProviderService {
  const provider = resolveGatewayProvider(container, "secpaid", providerId)
  if (!provider) {
    throw new Error(`The SecPaid provider ${providerId} is not registered in the payment module; check medusa-config.ts.`)
  }
  return provider
}
