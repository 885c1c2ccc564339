import type { BigNumberValue, MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, PaymentActions } from "@medusajs/framework/utils"
import { processPaymentWorkflow } from "@medusajs/medusa/core-flows"

/**
 * Turns a payment that the caller has ALREADY VERIFIED with the gateway into an
 * order. Gateway-neutral: used by the SecPaid and PayIn browser-return routes
 * (and anything else that learns of a payment outside Medusa's webhook path).
 *
 * It runs the same core workflow Medusa's own webhook subscriber runs
 * (`processPaymentWorkflow`), which locks the cart, authorizes/captures the
 * session and completes the cart only when no order exists yet. That makes it
 * idempotent with the webhook path and with the storefront's own
 * `POST /store/carts/:id/complete`: whichever runs first places the order, the
 * others find it and do nothing.
 */
export type CompletePaidCartInput = {
  /** The Medusa payment session id (`payses_…`). */
  sessionId: string
  /** The verified paid amount, in major units. */
  amount: BigNumberValue
  /** `captured` for gateways that capture on payment (SecPaid), `authorized` otherwise. */
  action?: typeof PaymentActions.SUCCESSFUL | typeof PaymentActions.AUTHORIZED
}

export type CompletePaidCartResult = {
  cartId?: string
  orderId?: string
}

export async function completePaidCart(
  container: MedusaContainer,
  input: CompletePaidCartInput
): Promise<CompletePaidCartResult> {
  if (!input.sessionId) {
    // processPaymentWorkflow would otherwise match an arbitrary session.
    throw new Error("completePaidCart needs a payment session id; pass the Medusa session id the payment belongs to.")
  }
  await processPaymentWorkflow(container).run({
    input: {
      action: input.action ?? PaymentActions.SUCCESSFUL,
      data: { session_id: input.sessionId, amount: input.amount },
    },
  })
  return await findCartAndOrderForSession(container, input.sessionId)
}

/** The cart a payment session belongs to and the order placed from it, if any. */
export async function findCartAndOrderForSession(
  container: MedusaContainer,
  sessionId: string
): Promise<CompletePaidCartResult> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: sessions } = await query.graph({
    entity: "payment_session",
    fields: ["id", "payment_collection_id"],
    filters: { id: sessionId },
  })
  const collectionId = sessions[0]?.payment_collection_id
  if (!collectionId) return {}
  const { data: links } = await query.graph({
    entity: "cart_payment_collection",
    fields: ["cart_id"],
    filters: { payment_collection_id: collectionId },
  })
  const cartId: string | undefined = links[0]?.cart_id
  if (!cartId) return {}
  const { data: orders } = await query.graph({
    entity: "order_cart",
    fields: ["order_id"],
    filters: { cart_id: cartId },
  })
  return { cartId, orderId: orders[0]?.order_id ?? undefined }
}
