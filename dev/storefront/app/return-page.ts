import type { HttpTypes } from "@medusajs/types"
import { hostedPageUrl, retrieveCart, startPayment, type PaymentChoice } from "./checkout"
import { readReturnHint, waitForPayment, type CheckoutOutcome } from "./payment-return"
import { forgetCheckout, savedCartId, savedPaymentChoice } from "./saved-checkout"
import { escapeHtml, formatMoney, on, setBusy, show } from "./view"

/**
 * `/checkout/return`: where the plugin's return route sends the shopper back.
 * Shows the order, "waiting for confirmation" (and keeps checking), or
 * "cancelled — try again" with the same cart.
 */
export async function renderReturnPage() {
  const hint = readReturnHint(window.location.search)
  const cartId = hint.cartId ?? savedCartId()
  if (!cartId) {
    show(`<h1 id="no-cart">No checkout to confirm</h1><p>This browser has no cart in progress.</p><p><a href="/">Back to the shop</a></p>`)
    return
  }
  show(`<h1 id="checking">Checking your payment…</h1>`)
  let shown = ""
  const outcome = await waitForPayment(cartId, (outcome) => {
    // Re-render only when something changed, so buttons do not vanish under the cursor.
    const key = outcomeKey(outcome)
    if (key !== shown) renderOutcome(cartId, outcome)
    shown = key
  })
  if (outcome.kind === "order") forgetCheckout()
}

function outcomeKey(outcome: CheckoutOutcome): string {
  if (outcome.kind === "order") return `order:${outcome.order.id}:${outcome.order.payment_status}`
  return `${outcome.kind}:${outcome.session?.id ?? ""}:${String(outcome.session?.data?.confirmed_received ?? "")}`
}

function renderOutcome(cartId: string, outcome: CheckoutOutcome) {
  switch (outcome.kind) {
    case "order":
      return outcome.paymentConfirmed
        ? show(`<h1 id="order-confirmed">Thank you — your order is placed</h1>${orderDetails(outcome.order)}
            <p>A confirmation goes to ${escapeHtml(outcome.order.email)}.</p><p><a href="/" id="continue">Continue shopping</a></p>`)
        : show(`<h1 id="payment-waiting">Order placed — waiting for the payment to be confirmed</h1>${orderDetails(outcome.order)}
            <p class="note">The gateway has not confirmed the payment yet. This page checks every few seconds; you can also close it.</p>`)
    case "waiting":
      show(`<h1 id="payment-waiting">Waiting for confirmation of your payment</h1>
        ${receivedSoFar(outcome.session)}
        <p class="note">No order yet: the gateway has not confirmed the full payment. This page checks every few seconds.</p>
        ${resumeLink(outcome.session)}
        <p><button id="retry" type="button">Start a new payment</button></p>
        <p id="error" class="error" hidden></p>`)
      return onRetry(cartId, outcome.session)
    case "canceled":
      show(`<h1 id="payment-canceled">Payment cancelled — try again</h1>
        <p>No money was taken and your cart is kept (total ${escapeHtml(formatMoney(outcome.cart.total, outcome.cart.currency_code))}).</p>
        <p><button id="retry" type="button">Try again</button> <a href="/">Back to checkout</a></p>
        <p id="error" class="error" hidden></p>`)
      return onRetry(cartId, outcome.session)
    case "failed":
      show(`<h1 id="payment-failed">The payment did not go through</h1>
        ${failureReason(outcome.session)}
        <p><button id="retry" type="button">Try again</button> <a href="/">Back to checkout</a></p>
        <p id="error" class="error" hidden></p>`)
      return onRetry(cartId, outcome.session)
  }
}

function orderDetails(order: HttpTypes.StoreOrder): string {
  return `<dl class="order">
    <dt>Order</dt><dd id="order-display-id">#${escapeHtml(order.display_id)}</dd>
    <dt>Order id</dt><dd id="order-id">${escapeHtml(order.id)}</dd>
    <dt>Total</dt><dd id="order-total">${escapeHtml(formatMoney(order.total, order.currency_code))}</dd>
    <dt>Payment</dt><dd id="order-payment-status">${escapeHtml(order.payment_status.replace(/_/g, " "))}</dd>
  </dl>`
}

/** PayIn reports what reached the address so far (`confirmed_received` of `amount`, in the token). */
function receivedSoFar(session: HttpTypes.StorePaymentSession | undefined): string {
  const data = session?.data ?? {}
  if (typeof data.confirmed_received !== "string" || typeof data.amount !== "string") return ""
  return `<p id="received">Received so far: ${escapeHtml(data.confirmed_received)} of ${escapeHtml(data.amount)} ${escapeHtml(data.token)}.</p>`
}

function resumeLink(session: HttpTypes.StorePaymentSession | undefined): string {
  const url = session ? hostedPageUrl(session) : undefined
  return url ? `<p><a id="resume" href="${escapeHtml(url)}">Back to the payment page</a></p>` : ""
}

function failureReason(session: HttpTypes.StorePaymentSession | undefined): string {
  const data = session?.data ?? {}
  const flags = Array.isArray(data.flags) ? data.flags : []
  if (flags.includes("partial_payment")) {
    return `<p id="failure-reason">The payment window closed after ${escapeHtml(data.confirmed_received)} of ${escapeHtml(data.amount)} ${escapeHtml(
      data.token
    )} arrived, so no order was placed. The shop has been told and will refund that amount or contact you.</p>`
  }
  return `<p id="failure-reason">The gateway did not confirm the payment, so no order was placed and nothing was charged by this shop.</p>`
}

function onRetry(cartId: string, session: HttpTypes.StorePaymentSession | undefined) {
  on("#retry", "click", async () => {
    setBusy(true)
    const choice = savedPaymentChoice() ?? choiceFromSession(session)
    if (!choice) throw new Error("The previous payment method is unknown; go back to checkout and choose one.")
    const cart = await retrieveCart(cartId)
    window.location.assign(await startPayment(cart, choice))
  })
}

/** The same provider (and PayIn coin) as the session that did not go through. */
function choiceFromSession(session: HttpTypes.StorePaymentSession | undefined): PaymentChoice | undefined {
  if (!session) return undefined
  const { token, chain_id } = session.data ?? {}
  return typeof token === "string" && typeof chain_id === "string"
    ? { providerId: session.provider_id, data: { token, chain_id } }
    : { providerId: session.provider_id }
}
