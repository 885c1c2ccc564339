import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MathBN, Modules } from "@medusajs/framework/utils"

/**
 * Medusa's completeCartWorkflow creates the order first and links it to its cart (and
 * marks the cart completed, places the order) in a later step. A process killed between
 * the two leaves an order linked to no cart, never announced (no `order.placed`), and a
 * cart that still looks unpaid: completing the cart again would make a second order
 * beside the half-made one. Had the process lived, the workflow's compensation would
 * have deleted that order (`deleteOrders`, as createOrdersStep's compensation does).
 *
 * When the inbox takes an event over from an attempt that died, this does what that
 * compensation would have done before the cart is completed again: it deletes the
 * orders made from this cart's contents since that attempt began that no cart holds.
 * An order younger than `SETTLE_MS` may still be linked by a workflow that is alive
 * (an attempt whose lock merely ran out), so the caller is told to try again later
 * instead.
 */

/** How old an order linked to no cart must be before it is taken as abandoned. */
export const SETTLE_MS = 15_000

export type CartContents = {
  id: string
  email?: string | null
  currency_code?: string | null
  region_id?: string | null
  sales_channel_id?: string | null
  items?: Array<{ variant_id?: string | null; quantity?: unknown } | null> | null
}

export type OrderCandidate = CartContents & { created_at: string | Date; linkedToCart: boolean }

/** Variant and quantity of each line, in a fixed order: the contents an order copies from its cart. */
function lines(items: CartContents["items"]): string {
  return (items ?? [])
    .map((i) => `${i?.variant_id ?? ""}×${MathBN.convert((i?.quantity ?? 0) as number).toString()}`)
    .sort()
    .join(",")
}

/** Whether `order` is what a completion of `cart` that began at `since` left half made. */
export function isOrderLeftByInterruptedCompletion(cart: CartContents, order: OrderCandidate, since: Date): boolean {
  return (
    !order.linkedToCart &&
    new Date(order.created_at).getTime() >= since.getTime() &&
    !!cart.email &&
    order.email === cart.email &&
    order.currency_code === cart.currency_code &&
    order.region_id === cart.region_id &&
    order.sales_channel_id === cart.sales_channel_id &&
    lines(order.items) === lines(cart.items)
  )
}

export async function removeOrdersLeftByInterruptedCompletion(
  container: MedusaContainer,
  input: { cartId: string; since: Date }
): Promise<{ removed: string[] }> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: carts } = await query.graph({
    entity: "cart",
    fields: ["id", "email", "currency_code", "region_id", "sales_channel_id", "items.variant_id", "items.quantity"],
    filters: { id: input.cartId },
  })
  const cart = carts[0] as CartContents | undefined
  if (!cart?.email) return { removed: [] }

  const { data: orders } = await query.graph({
    entity: "order",
    // An order line's quantity is only filled in with the whole line.
    fields: ["id", "email", "currency_code", "region_id", "sales_channel_id", "created_at", "items.*"],
    filters: { email: cart.email, created_at: { $gte: input.since } },
  })
  if (!orders.length) return { removed: [] }
  const { data: links } = await query.graph({
    entity: "order_cart",
    fields: ["order_id"],
    filters: { order_id: orders.map((o: { id: string }) => o.id) },
  })
  const linked = new Set(links.map((l: { order_id: string }) => l.order_id))
  const left = (orders as Array<Omit<OrderCandidate, "linkedToCart">>).filter((o) =>
    isOrderLeftByInterruptedCompletion(cart, { ...o, linkedToCart: linked.has(o.id) }, input.since)
  )
  if (!left.length) return { removed: [] }

  const now = Date.now()
  const young = left.filter((o) => now - new Date(o.created_at).getTime() < SETTLE_MS)
  if (young.length) {
    throw new Error(
      `Order ${young.map((o) => o.id).join(", ")} was made from cart ${input.cartId} by an earlier attempt and is linked to no cart yet; it is checked again shortly, before the cart is completed.`
    )
  }
  const ids = left.map((o) => o.id)
  await container.resolve(Modules.ORDER).deleteOrders(ids)
  container
    .resolve(ContainerRegistrationKeys.LOGGER)
    .warn(`Deleted order ${ids.join(", ")}: made from cart ${input.cartId} by a cart completion whose process died before linking it; the cart is completed again now.`)
  return { removed: ids }
}
