import type { HttpTypes } from "@medusajs/types"
import {
  createCart,
  DEMO_ADDRESSES,
  findRegion,
  listPaymentProviders,
  loadProduct,
  retrieveCart,
  setEmail,
  startPayment,
  type DemoCurrency,
  type PaymentChoice,
} from "./checkout"
import { forgetCheckout, saveCartId, savedCartId, savePaymentChoice } from "./saved-checkout"
import { escapeHtml, formatMoney, on, setBusy, show } from "./view"

/** `/`: the product, the cart, the email and the payment choice. */

/** Stablecoins and chains PayIn's testnet settles; a shop lists the pairs its PayIn options allow. */
const PAYIN_COINS = [
  { token: "USDC", chain_id: "ethereum-sepolia", label: "USDC on Ethereum Sepolia" },
  { token: "USDC", chain_id: "polygon-amoy", label: "USDC on Polygon Amoy" },
  { token: "USDT", chain_id: "tron-nile", label: "USDT on Tron Nile" },
  { token: "USDC", chain_id: "solana-devnet", label: "USDC on Solana Devnet" },
]

const REGION_LABELS: Record<DemoCurrency, string> = {
  eur: "Europe · EUR · pay with SecPaid",
  usd: "United States · USD · pay with PayIn (USDT/USDC)",
}

function providerLabel(providerId: string): string | undefined {
  if (providerId.startsWith("pp_secpaid_")) return "SecPaid — card or bank transfer"
  if (providerId.startsWith("pp_payin_")) return "PayIn — pay with stablecoins"
  return undefined // Providers without a hosted page (e.g. pp_system_default) are not offered here.
}

export async function renderShopPage() {
  const resumed = await resumeSavedCart()
  if (resumed) return renderCheckout(resumed)
  await renderProduct("eur")
}

async function resumeSavedCart(): Promise<HttpTypes.StoreCart | undefined> {
  const cartId = savedCartId()
  if (!cartId) return undefined
  try {
    const cart = await retrieveCart(cartId)
    if (!cart.completed_at && cart.items?.length) return cart
  } catch {
    // An old cart id from another database: start afresh.
  }
  forgetCheckout()
  return undefined
}

async function renderProduct(currency: DemoCurrency) {
  const region = await findRegion(currency)
  const product = await loadProduct(region.id)
  const variant = product.variants?.[0]
  const price = variant?.calculated_price
  show(`
    <h1>Demo store</h1>
    <fieldset id="regions"><legend>Where do you shop?</legend>
      ${(["eur", "usd"] as const)
        .map(
          (c) =>
            `<label><input type="radio" name="currency" id="region-${c}" value="${c}" ${c === currency ? "checked" : ""}> ${escapeHtml(REGION_LABELS[c])}</label>`
        )
        .join("")}
    </fieldset>
    <section class="product">
      <h2 id="product-title">${escapeHtml(product.title)}</h2>
      <p>${escapeHtml(product.description)}</p>
      <p class="price" id="product-price">${escapeHtml(formatMoney(price?.calculated_amount ?? undefined, price?.currency_code ?? currency))}</p>
      <button id="add-to-cart" type="button">Add to cart</button>
    </section>
    <p id="error" class="error" hidden></p>`)
  document.querySelectorAll<HTMLInputElement>("input[name=currency]").forEach((input) =>
    input.addEventListener("change", () => renderProduct(input.value as DemoCurrency))
  )
  on("#add-to-cart", "click", async () => {
    if (!variant) throw new Error("This product has no variant to buy.")
    setBusy(true)
    const cart = await createCart(region.id, variant.id, DEMO_ADDRESSES[currency])
    saveCartId(cart.id)
    await renderCheckout(cart)
  })
}

async function renderCheckout(cart: HttpTypes.StoreCart) {
  const providers = (await listPaymentProviders(cart.region_id!)).filter((p) => providerLabel(p.id))
  const address = cart.shipping_address
  const item = cart.items?.[0]
  show(`
    <h1>Checkout</h1>
    <table class="summary">
      <tr><td>${escapeHtml(item?.product_title)} (${escapeHtml(item?.variant_title)}) × ${escapeHtml(item?.quantity)}</td><td>${escapeHtml(formatMoney(cart.item_total, cart.currency_code))}</td></tr>
      <tr><td>Shipping</td><td>${escapeHtml(formatMoney(cart.shipping_total, cart.currency_code))}</td></tr>
      <tr class="total"><td>Total</td><td id="cart-total">${escapeHtml(formatMoney(cart.total, cart.currency_code))}</td></tr>
    </table>
    <form id="checkout-form">
      <label>Email <input id="email" name="email" type="email" required autocomplete="email" placeholder="you@example.com" value="${escapeHtml(cart.email)}"></label>
      <p class="address">Ship to (demo address): ${escapeHtml(
        [`${address?.first_name ?? ""} ${address?.last_name ?? ""}`, address?.address_1, `${address?.postal_code ?? ""} ${address?.city ?? ""}`, address?.country_code?.toUpperCase()].join(", ")
      )}</p>
      <fieldset id="payment-methods"><legend>Payment</legend>
        ${providers
          .map(
            (p, i) => `<label><input type="radio" name="provider" id="provider-${escapeHtml(p.id)}" value="${escapeHtml(p.id)}" ${i === 0 ? "checked" : ""}> ${escapeHtml(providerLabel(p.id))} <small>${escapeHtml(p.id)}</small></label>
          ${
            p.id.startsWith("pp_payin_")
              ? `<label class="coin">Coin and network <select id="coin-${escapeHtml(p.id)}">${PAYIN_COINS.map(
                  (c) => `<option value="${c.token}:${c.chain_id}">${escapeHtml(c.label)}</option>`
                ).join("")}</select></label>`
              : ""
          }`
          )
          .join("")}
        ${providers.length ? "" : "<p>No payment provider is enabled in this region.</p>"}
      </fieldset>
      <button id="pay" type="submit" ${providers.length ? "" : "disabled"}>Pay ${escapeHtml(formatMoney(cart.total, cart.currency_code))}</button>
    </form>
    <p><a href="/" id="start-over">Start over</a></p>
    <p id="error" class="error" hidden></p>`)
  on("#start-over", "click", () => forgetCheckout())
  on("#checkout-form", "submit", async (event) => {
    event.preventDefault()
    const email = (document.getElementById("email") as HTMLInputElement).value.trim()
    if (!email) throw new Error("Enter your email address: the order confirmation goes there.")
    const choice = readPaymentChoice()
    setBusy(true)
    const withEmail = await setEmail(cart.id, email)
    savePaymentChoice(choice)
    window.location.assign(await startPayment(withEmail, choice))
  })
}

function readPaymentChoice(): PaymentChoice {
  const providerId = document.querySelector<HTMLInputElement>("input[name=provider]:checked")?.value
  if (!providerId) throw new Error("Choose a payment method.")
  const coin = document.querySelector<HTMLSelectElement>(`select[id="coin-${providerId}"]`)?.value
  if (!coin) return { providerId }
  const [token, chain_id] = coin.split(":")
  return { providerId, data: { token, chain_id } }
}
