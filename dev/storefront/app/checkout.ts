import type { HttpTypes } from "@medusajs/types"
import { sdk } from "./medusa"

/**
 * The Store API calls of a checkout, in the order a shopper makes them:
 * region → product → cart (item, address, shipping) → email → payment session →
 * the gateway's hosted page. Nothing here is specific to this demo's HTML; the
 * storefront guide (docs/storefront-guide.md) quotes these functions.
 */

export type DemoCurrency = "eur" | "usd"

/** Prefilled so the demo is a few clicks; a real storefront asks the shopper. */
export const DEMO_ADDRESSES: Record<DemoCurrency, HttpTypes.StoreAddAddress> = {
  eur: { first_name: "Ada", last_name: "Lovelace", address_1: "Unter den Linden 1", city: "Berlin", postal_code: "10117", country_code: "de" },
  usd: { first_name: "Ada", last_name: "Lovelace", address_1: "1 Main Street", city: "New York", postal_code: "10001", country_code: "us" },
}

export async function findRegion(currency: DemoCurrency): Promise<HttpTypes.StoreRegion> {
  const { regions } = await sdk.store.region.list({ fields: "id,name,currency_code,*countries" })
  const region = regions.find((r) => r.currency_code === currency)
  if (!region) throw new Error(`The store has no region in ${currency.toUpperCase()}; run the demo seed (npm run dev) first.`)
  return region
}

/** The product with its price in the region's currency (`calculated_price`). */
export async function loadProduct(regionId: string, handle = "demo-t-shirt"): Promise<HttpTypes.StoreProduct> {
  const { products } = await sdk.store.product.list({
    handle,
    region_id: regionId,
    fields: "id,title,description,*variants.calculated_price",
  })
  if (!products[0]) throw new Error(`The store has no published product "${handle}" in this sales channel.`)
  return products[0]
}

/** A cart with one item, the address, and a shipping method. */
export async function createCart(regionId: string, variantId: string, address: HttpTypes.StoreAddAddress): Promise<HttpTypes.StoreCart> {
  const { cart } = await sdk.store.cart.create({
    region_id: regionId,
    items: [{ variant_id: variantId, quantity: 1 }],
    shipping_address: address,
    billing_address: address,
  })
  return addFirstShippingOption(cart.id)
}

/**
 * Picks the first option priced in the cart's currency (the demo lists one per
 * currency in the same zone; unpriced ones come back without an amount). A real
 * storefront lets the shopper choose.
 */
export async function addFirstShippingOption(cartId: string): Promise<HttpTypes.StoreCart> {
  const { shipping_options } = await sdk.store.fulfillment.listCartOptions({ cart_id: cartId })
  const option = shipping_options.find((o) => typeof o.amount === "number")
  if (!option) throw new Error("No shipping option serves this address; check the region's countries and the shipping options.")
  const { cart } = await sdk.store.cart.addShippingMethod(cartId, { option_id: option.id })
  return cart
}

export async function setEmail(cartId: string, email: string): Promise<HttpTypes.StoreCart> {
  const { cart } = await sdk.store.cart.update(cartId, { email })
  return cart
}

export async function retrieveCart(cartId: string): Promise<HttpTypes.StoreCart> {
  const { cart } = await sdk.store.cart.retrieve(cartId)
  return cart
}

/** The payment providers enabled in the cart's region (`pp_secpaid_secpaid`, `pp_payin_payin`, …). */
export async function listPaymentProviders(regionId: string): Promise<HttpTypes.StorePaymentProvider[]> {
  const { payment_providers } = await sdk.store.payment.listPaymentProviders({ region_id: regionId })
  return payment_providers
}

/**
 * What the shopper chose. PayIn takes the stablecoin and chain in `data`
 * (`{ token: "USDC", chain_id: "ethereum-sepolia" }`); SecPaid needs nothing.
 */
export type PaymentChoice = { providerId: string; data?: { token: string; chain_id: string } }

/**
 * Creates the payment session and returns the gateway page to send the shopper to.
 * Calling it again for the same cart replaces the session (Medusa deletes the
 * old one), which is how "try again" works after a cancelled payment.
 */
export async function startPayment(cart: HttpTypes.StoreCart, choice: PaymentChoice): Promise<string> {
  const { payment_collection } = await sdk.store.payment.initiatePaymentSession(cart, {
    provider_id: choice.providerId,
    ...(choice.data ? { data: choice.data } : {}),
  })
  const session = payment_collection.payment_sessions?.find((s) => s.provider_id === choice.providerId)
  const url = session ? hostedPageUrl(session) : undefined
  if (!url) throw new Error(`${choice.providerId} returned no payment page for this cart; check the backend logs.`)
  return url
}

/** SecPaid puts its payment link in `pay_link`, PayIn its hosted page in `payment_url`. */
export function hostedPageUrl(session: HttpTypes.StorePaymentSession): string | undefined {
  const data = session.data ?? {}
  const candidate = session.provider_id.startsWith("pp_secpaid_") ? data.pay_link : data.payment_url
  if (typeof candidate !== "string") return undefined
  try {
    const url = new URL(candidate)
    return url.protocol === "https:" || url.protocol === "http:" ? url.toString() : undefined
  } catch {
    return undefined
  }
}
