import type { PaymentChoice } from "./checkout"

/**
 * What the browser remembers across the trip to the gateway: the cart id (as
 * every Medusa storefront keeps it) and the payment choice, for "try again".
 */
const CART_KEY = "demo_storefront_cart_id"
const CHOICE_KEY = "demo_storefront_payment_choice"

export function savedCartId(): string | undefined {
  return localStorage.getItem(CART_KEY) ?? undefined
}

export function saveCartId(cartId: string) {
  localStorage.setItem(CART_KEY, cartId)
}

export function savedPaymentChoice(): PaymentChoice | undefined {
  try {
    const value = JSON.parse(localStorage.getItem(CHOICE_KEY) ?? "null") as unknown
    if (!value || typeof value !== "object" || typeof (value as PaymentChoice).providerId !== "string") return undefined
    const { providerId, data } = value as PaymentChoice
    const validData = data && typeof data.token === "string" && typeof data.chain_id === "string"
    return { providerId, ...(validData ? { data: { token: data.token, chain_id: data.chain_id } } : {}) }
  } catch {
    return undefined
  }
}

export function savePaymentChoice(choice: PaymentChoice) {
  localStorage.setItem(CHOICE_KEY, JSON.stringify(choice))
}

/** After the order is placed the cart is spent: the next visit starts a new one. */
export function forgetCheckout() {
  localStorage.removeItem(CART_KEY)
  localStorage.removeItem(CHOICE_KEY)
}
