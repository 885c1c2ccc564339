import type { HttpTypes } from "@medusajs/types"
import { sdk } from "./medusa"

/**
 * The page the shopper lands on after the gateway. The plugin's return route
 * (`/hooks/<gateway>/return/:session_id`) has already asked the gateway and, when
 * it was paid, placed the order; it then redirects here with `status`, `cart_id`
 * and `order_id` in the query. Those are hints only (anyone can type a URL): what
 * the page shows comes from the Store API.
 */

export type ReturnHint = { status?: "paid" | "pending" | "canceled" | "failed"; cartId?: string; orderId?: string }

const STATUSES = new Set(["paid", "pending", "canceled", "failed"])
const MEDUSA_ID = /^[a-z]+_[0-9A-Za-z]+$/

/** Reads the redirect query; anything malformed is dropped, nothing is acted on. */
export function readReturnHint(search: string): ReturnHint {
  const query = new URLSearchParams(search)
  const status = query.get("status") ?? ""
  const cartId = query.get("cart_id") ?? ""
  const orderId = query.get("order_id") ?? ""
  return {
    status: STATUSES.has(status) ? (status as ReturnHint["status"]) : undefined,
    cartId: MEDUSA_ID.test(cartId) ? cartId : undefined,
    orderId: MEDUSA_ID.test(orderId) ? orderId : undefined,
  }
}

export type CheckoutOutcome =
  /** The order exists; `paymentConfirmed` is false while the gateway still confirms (PayIn `placeOrderBeforeConfirmation`). */
  | { kind: "order"; order: HttpTypes.StoreOrder; paymentConfirmed: boolean }
  /** No order yet and the payment is still open: poll. */
  | { kind: "waiting"; cart: HttpTypes.StoreCart; session?: HttpTypes.StorePaymentSession }
  | { kind: "canceled"; cart: HttpTypes.StoreCart; session?: HttpTypes.StorePaymentSession }
  | { kind: "failed"; cart: HttpTypes.StoreCart; session?: HttpTypes.StorePaymentSession }

const ORDER_FIELDS = "id,display_id,email,total,currency_code,payment_status,created_at"
const CONFIRMED: ReadonlySet<string> = new Set(["authorized", "partially_authorized", "captured", "partially_captured", "partially_refunded", "refunded"])

/**
 * Asks Medusa what became of the cart. `cart.complete` is idempotent: for a cart
 * the return route (or a webhook) already turned into an order it returns that
 * order; otherwise it asks the provider once more, which either places the order
 * now or records the session's status (pending, canceled, error) for us to read.
 */
export async function checkPayment(cartId: string): Promise<CheckoutOutcome> {
  try {
    const result = await sdk.store.cart.complete(cartId)
    if (result.type === "order") return await checkOrder(result.order.id)
  } catch {
    // 400 "not authorized with the provider" while unpaid, 409 while a webhook
    // completes the same cart: either way the cart below says where we are.
  }
  const { cart } = await sdk.store.cart.retrieve(cartId)
  return outcomeOfCart(cart)
}

/** The order as the Store API shows it (GET /store/orders/:id needs only the id). */
export async function checkOrder(orderId: string): Promise<CheckoutOutcome> {
  const { order } = await sdk.store.order.retrieve(orderId, { fields: ORDER_FIELDS })
  return { kind: "order", order, paymentConfirmed: CONFIRMED.has(order.payment_status) }
}

function outcomeOfCart(cart: HttpTypes.StoreCart): CheckoutOutcome {
  const session = cart.payment_collection?.payment_sessions?.[0]
  switch (session?.status) {
    case "canceled":
      return { kind: "canceled", cart, session }
    case "error":
      return { kind: "failed", cart, session }
    default:
      // pending, requires_more, pending_authorization, or authorized while the
      // order is being placed by someone else.
      return { kind: "waiting", cart, session }
  }
}

/** Polls until the outcome is final (an order with a confirmed payment, canceled or failed). */
export async function waitForPayment(
  cartId: string,
  onUpdate: (outcome: CheckoutOutcome) => void,
  { intervalMs = 2000, signal }: { intervalMs?: number; signal?: AbortSignal } = {}
): Promise<CheckoutOutcome> {
  let outcome = await checkPayment(cartId)
  for (;;) {
    onUpdate(outcome)
    const settled = outcome.kind === "order" ? outcome.paymentConfirmed : outcome.kind !== "waiting"
    if (settled || signal?.aborted) return outcome
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
    // Once the order exists only its payment is awaited; the cart is done.
    outcome = outcome.kind === "order" ? await checkOrder(outcome.order.id) : await checkPayment(cartId)
  }
}
