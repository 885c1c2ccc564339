import type { AxiosInstance } from "axios"
import { storeHeaders, type StoreFixture } from "./store-fixture"

/**
 * The calls a storefront makes, through the Store API over HTTP: a cart with one
 * item, an email, an address and a shipping method, ready for a payment session.
 * EUR total 30.00 (25.50 + 4.50 shipping); USD total 32.25 (27.25 + 5.00).
 */
export async function createCartReadyForPayment(
  api: AxiosInstance,
  fixture: StoreFixture,
  { currency, quantity = 1, email = "shopper@example.com" }: { currency: "eur" | "usd"; quantity?: number; email?: string }
) {
  const h = storeHeaders(fixture)
  const country_code = currency === "eur" ? "de" : "us"
  const { data: created } = await api.post(
    "/store/carts",
    {
      region_id: fixture.regions[currency].id,
      sales_channel_id: fixture.salesChannelId,
      email,
      items: [{ variant_id: fixture.variantId, quantity }],
      shipping_address: {
        first_name: "Ada",
        last_name: "Lovelace",
        address_1: "1 Test Street",
        city: currency === "eur" ? "Berlin" : "New York",
        postal_code: currency === "eur" ? "10115" : "10001",
        country_code,
      },
    },
    h
  )
  const cartId: string = created.cart.id
  await api.post(`/store/carts/${cartId}/shipping-methods`, { option_id: fixture.shippingOptions[currency] }, h)
  const { data } = await api.get(`/store/carts/${cartId}`, h)
  return data.cart
}

/** Creates the cart's payment collection (if needed) and a session with the given provider. */
export async function startPaymentSession(
  api: AxiosInstance,
  fixture: StoreFixture,
  cartId: string,
  providerId: string,
  data?: Record<string, unknown>
) {
  const h = storeHeaders(fixture)
  const { data: collectionRes } = await api.post("/store/payment-collections", { cart_id: cartId }, h)
  const collectionId: string = collectionRes.payment_collection.id
  const { data: sessionRes } = await api.post(
    `/store/payment-collections/${collectionId}/payment-sessions`,
    { provider_id: providerId, ...(data ? { data } : {}) },
    h
  )
  const sessions: any[] = sessionRes.payment_collection.payment_sessions
  const session = sessions.find((s) => s.provider_id === providerId)
  if (!session) throw new Error(`No ${providerId} session was created for cart ${cartId}`)
  return { collectionId, session }
}

/** POST /store/carts/:id/complete; resolves with the HTTP status and body instead of throwing. */
export async function completeCart(api: AxiosInstance, fixture: StoreFixture, cartId: string) {
  const res = await api.post(`/store/carts/${cartId}/complete`, {}, { ...storeHeaders(fixture), validateStatus: () => true })
  return { status: res.status, body: res.data }
}

export async function waitFor<T>(
  fn: () => Promise<T | undefined | null | false>,
  { timeoutMs = 20000, intervalMs = 200, what = "condition" }: { timeoutMs?: number; intervalMs?: number; what?: string } = {}
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  for (;;) {
    try {
      const value = await fn()
      if (value) return value
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`)
    }
    await new Promise((r) => setTimeout(r, intervalMs))
  }
}
