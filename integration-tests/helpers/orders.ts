import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { SandboxControl } from "../../sandbox/control-client"
import { waitFor } from "./checkout"

/** What Medusa made of a checkout, read through Query: shared by every gateway's HTTP suites. */

/** The control API of the sandbox the jest global setup started. */
export function sandbox(): SandboxControl {
  const url = process.env.SANDBOX_URL
  if (!url) throw new Error("SANDBOX_URL is not set: run the suite through `npm test` (integration-tests/global-setup.ts).")
  return new SandboxControl(url)
}

/** The order placed from a cart, with its payments, captures and refunds; undefined while there is none. */
export async function orderForCart(container: MedusaContainer, cartId: string): Promise<any | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data: links } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  const orderId = links[0]?.order_id
  if (!orderId) return undefined
  const { data } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "status",
      "payment_status",
      "total",
      "payment_collections.status",
      "payment_collections.payments.*",
      "payment_collections.payments.captures.*",
      "payment_collections.payments.refunds.*",
    ],
    filters: { id: orderId },
  })
  return data[0]
}

/** How many orders a cart produced: must never exceed one. */
export async function ordersForCart(container: MedusaContainer, cartId: string): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId } })
  return data.length
}

export async function countOrders(container: MedusaContainer): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ["id"] })
  return data.length
}

export async function paymentSession(container: MedusaContainer, sessionId: string): Promise<any> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "payment_session", fields: ["id", "status", "data", "amount"], filters: { id: sessionId } })
  return data[0]
}

export function waitForOrder(container: MedusaContainer, cartId: string, predicate: (order: any) => boolean = () => true) {
  return waitFor(
    async () => {
      const order = await orderForCart(container, cartId)
      return order && predicate(order) ? order : undefined
    },
    { timeoutMs: 30_000, intervalMs: 250, what: `an order for cart ${cartId}` }
  )
}
