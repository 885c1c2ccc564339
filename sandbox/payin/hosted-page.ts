import type { SandboxContext } from "../context"
import { escapeHtml, html, page, redirect, type HttpResult, type ParsedRequest } from "../http"
import { fromUnits, payInReturnUrl, PayInTransferError, sweepPayInExpiry, toUnits, transferToPayInOrder } from "./lifecycle"
import type { PayInOrder } from "./state"

/**
 * PayIn's hosted payment page at `/payin/pay/<orderId>`. Instead of a wallet, the
 * customer gets buttons that make the sandbox "receive" a transfer: the remaining
 * amount, half the order amount, an overpayment (+10 %), or any amount.
 */

/** The amount each button sends, computed exactly in token units. */
export function presetTransferAmount(order: PayInOrder, kind: string): string | undefined {
  const amount = toUnits(order.amount) ?? 0n
  const received = toUnits(order.confirmed_received) ?? 0n
  const remaining = amount > received ? amount - received : 0n
  switch (kind) {
    case "full":
      return fromUnits(remaining > 0n ? remaining : amount)
    case "half":
      return fromUnits(amount / 2n)
    case "over":
      return fromUnits(remaining + amount / 10n)
    default:
      return undefined
  }
}

function renderOrderPage(ctx: SandboxContext, order: PayInOrder, message = ""): string {
  const base = `/payin/pay/${encodeURIComponent(order.id)}`
  const info = `<h1>Pay ${escapeHtml(order.amount)} ${escapeHtml(order.token)}</h1>
<div class="box">
<p><strong>Amount:</strong> <span id="amount">${escapeHtml(order.amount)}</span> ${escapeHtml(order.token)} on ${escapeHtml(order.chain)}</p>
<p><strong>Send to:</strong> <code id="address">${escapeHtml(order.address)}</code></p>
<p><strong>Received:</strong> <span id="received">${escapeHtml(order.confirmed_received)}</span> · status <span id="status">${escapeHtml(order.status)}</span></p>
<p class="note">Reference ${escapeHtml(order.order_reference)} · window ends ${escapeHtml(order.payment_window_ends_at)} · grace ends ${escapeHtml(order.grace_period_ends_at)} · sandbox time ${escapeHtml(ctx.clock.nowDate().toISOString())}</p>
</div>${message ? `<p id="message">${escapeHtml(message)}</p>` : ""}`
  if (order.status === "completed") {
    const back = order.success_url ? `<p><a id="return" href="${escapeHtml(payInReturnUrl(order, order.success_url))}">Return to the shop</a></p>` : ""
    return page("PayIn", `${info}<p>Payment complete.</p>${back}`)
  }
  if (order.status === "expired") {
    const back = order.cancel_url ? `<p><a id="return" href="${escapeHtml(payInReturnUrl(order, order.cancel_url))}">Return to the shop</a></p>` : ""
    return page("PayIn", `${info}<p>This order expired.</p>${back}`)
  }
  const button = (kind: string, label: string) =>
    `<form method="post" action="${base}/transfer"><input type="hidden" name="kind" value="${kind}"><button id="pay-${kind}" type="submit">${escapeHtml(label)}</button></form>`
  const cancel = order.cancel_url ? `<p><a id="cancel" href="${escapeHtml(payInReturnUrl(order, order.cancel_url))}">Cancel and return to the shop</a></p>` : ""
  return page(
    "PayIn",
    `${info}
${button("full", `Send ${presetTransferAmount(order, "full")} ${order.token} (full)`)}
${button("half", `Send ${presetTransferAmount(order, "half")} ${order.token} (partial)`)}
${button("over", `Send ${presetTransferAmount(order, "over")} ${order.token} (overpay)`)}
<form method="post" action="${base}/transfer"><input type="hidden" name="kind" value="custom">
<input id="custom-amount" name="amount" placeholder="any amount, e.g. 1.5" inputmode="decimal"> <button id="pay-custom" type="submit">Send</button></form>
${cancel}`
  )
}

const notFound = () => html(404, page("Order not found", "<h1>Order not found</h1>"))

export async function handlePayInHostedPage(ctx: SandboxContext, req: ParsedRequest): Promise<HttpResult | undefined> {
  const m = /^\/payin\/pay\/([^/]+)(\/transfer|\/qr)?$/.exec(req.path)
  if (!m) return undefined
  await sweepPayInExpiry(ctx)
  const order = ctx.payin.find(decodeURIComponent(m[1]))
  if (!order) return notFound()
  if (req.method === "GET" && !m[2]) return html(200, renderOrderPage(ctx, order))
  if (req.method === "GET" && m[2] === "/qr") {
    return {
      status: 200,
      headers: { "content-type": "image/svg+xml" },
      body: `<svg xmlns="http://www.w3.org/2000/svg" width="320" height="40"><text x="4" y="24" font-size="10">${escapeHtml(order.address)}</text></svg>`,
    }
  }
  if (req.method === "POST" && m[2] === "/transfer") {
    const form = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>
    const kind = typeof form.kind === "string" ? form.kind : "custom"
    const amount = kind === "custom" ? String(form.amount ?? "").trim() : presetTransferAmount(order, kind)
    try {
      await transferToPayInOrder(ctx, order, amount ?? "")
    } catch (e) {
      if (e instanceof PayInTransferError) return html(400, renderOrderPage(ctx, order, e.message))
      throw e
    }
    if (order.status === "completed" && order.success_url) return redirect(payInReturnUrl(order, order.success_url))
    return redirect(`/payin/pay/${encodeURIComponent(order.id)}`)
  }
  return undefined
}
