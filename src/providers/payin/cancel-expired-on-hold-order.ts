import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { cancelOrderWorkflow } from "@medusajs/medusa/core-flows"
import { findCartAndOrderForSession } from "../../lib/complete-paid-cart"

/**
 * With `placeOrderBeforeConfirmation` a cart becomes an order before PayIn has the
 * money. When PayIn then reports the order expired with nothing received, that order
 * awaiting payment is cancelled (stock released). Callers must have verified the
 * expiry with PayIn first. An order that holds any captured payment is never touched:
 * partial payments need a human (refund or top-up), which the provider flags.
 *
 * Used by the browser-return route; Medusa's core webhook subscriber ignores
 * `canceled` actions, so the webhook path needs a subscriber to call this too.
 */
export async function cancelExpiredOnHoldOrder(
  container: MedusaContainer,
  sessionId: string
): Promise<{ orderId?: string; cartId?: string; canceled: boolean }> {
  const { cartId, orderId } = await findCartAndOrderForSession(container, sessionId)
  if (!orderId) return { cartId, canceled: false }
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "payment_collections.payments.captures.id"],
    filters: { id: orderId },
  })
  const order = data[0] as
    | { status: string; payment_collections?: Array<{ payments?: Array<{ captures?: unknown[] }> }> }
    | undefined
  if (!order) return { cartId, canceled: false }
  if (order.status === "canceled") return { cartId, orderId, canceled: true }
  const captured = (order.payment_collections ?? []).some((pc) => (pc.payments ?? []).some((p) => (p.captures ?? []).length > 0))
  if (captured) return { cartId, orderId, canceled: false }
  await cancelOrderWorkflow(container).run({ input: { order_id: orderId } })
  return { cartId, orderId, canceled: true }
}
