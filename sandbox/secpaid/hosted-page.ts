import { SANDBOX_SECPAID_USER_ID } from "../credentials"
import type { SandboxContext } from "../context"
import { formatFixed, parseDecimal } from "../decimal"
import { escapeHtml, html, page, redirect, type HttpResult, type ParsedRequest } from "../http"
import type { Delivery } from "../webhook-delivery"
import { secPaidTime, type SecPaidLink, type SecPaidWebhookFormat } from "./state"
import { secPaidWebhooksForLink } from "./webhooks"

/**
 * The customer's side of a SecPaid link: the page at `pay_link` with Pay and
 * (if cancellable) Cancel, and what pressing them does: mark the link, record the
 * pay-in row, POST the webhooks, send the browser back to `callback_url`.
 */

export type SecPaidCustomerAction = { redirectUrl: string; deliveries: Delivery[]; link: SecPaidLink }

export class SecPaidLinkStateError extends Error {}

const linkIdOf = (id: number) => Buffer.from(String(id)).toString("base64")

/** `callback_url?pay_id=…&user_id=…&status=…`, optionally `&amp;`-separated as seen in the wild. */
function callbackRedirect(ctx: SandboxContext, link: SecPaidLink, status: "success" | "cancel"): string {
  const separator = ctx.secpaid.config.ampersandRedirects ? "&amp;" : "&"
  const query = [`pay_id=${link.id}`, `user_id=${encodeURIComponent(SANDBOX_SECPAID_USER_ID)}`, `status=${status}`].join(separator)
  const callback = link.callback_urls[0]
  if (!callback) return `${ctx.baseUrl}/secpaid/payment/done?link_id=${encodeURIComponent(linkIdOf(link.id))}&status=${status}`
  // Unknown how SecPaid treats a callback that already has a query; the sandbox appends with "&".
  return `${callback}${callback.includes("?") ? separator : "?"}${query}`
}

function describeUnpayable(link: SecPaidLink): string {
  if (link.status === "Cancelled") return "Link is cancelled"
  if (link.status === "Deleted") return "Link not found"
  return "This link is already used"
}

/** The Pay button. */
export async function paySecPaidLink(
  ctx: SandboxContext,
  link: SecPaidLink,
  opts: { webhookFormat?: SecPaidWebhookFormat; transactionStatus?: "Success" | "Pending" } = {}
): Promise<SecPaidCustomerAction> {
  if (link.status !== "Unused") throw new SecPaidLinkStateError(describeUnpayable(link))
  const now = ctx.clock.now()
  link.status = "Used"
  link.paid_on = secPaidTime(now)
  const amountCents = parseDecimal(link.amount, 2) ?? 0n
  const feeCents = parseDecimal(link.servicefee, 2) ?? 0n
  const seq = ctx.secpaid.nextTransactionSeq++
  ctx.secpaid.transactions.push({
    environment: link.environment,
    account: link.account,
    pay_id: String(link.id),
    transaction_id: `${link.paid_on.slice(0, 10).replace(/-/g, "")}-pi-${String(seq).padStart(6, "0")}`,
    amount: link.amount,
    net_amount: formatFixed(amountCents - feeCents, 2),
    service_fee: link.servicefee,
    service_fee_psp: "0.00",
    // "Pending" models a payment SecPaid has not settled yet (e.g. a bank transfer): the webhook still says success.
    status: opts.transactionStatus ?? "Success",
    recipient_note: link.recipient_note,
    payment_method: link.bank_transfer ? "Bank Transfer" : "Card",
    is_refund: "No",
    is_dispute: "No",
    is_split_link: link.is_split_link ? "Yes" : "No",
    transaction_type: link.is_split_link ? "Split" : link.is_qr_link ? "Personal QR" : "Basic",
    created_at: link.paid_on,
  })
  ctx.persist()
  const deliveries = await ctx.webhooks.dispatch(
    secPaidWebhooksForLink(link, "success", {
      format: opts.webhookFormat ?? ctx.secpaid.config.webhookFormat,
      encryptedPlaintext: ctx.secpaid.config.encryptedPlaintext,
    })
  )
  return { redirectUrl: callbackRedirect(ctx, link, "success"), deliveries, link }
}

/** The Cancel button (only on cancellable links). */
export async function cancelSecPaidLink(
  ctx: SandboxContext,
  link: SecPaidLink,
  opts: { webhookFormat?: SecPaidWebhookFormat } = {}
): Promise<SecPaidCustomerAction> {
  if (link.status !== "Unused") throw new SecPaidLinkStateError(describeUnpayable(link))
  if (!link.cancellable) throw new SecPaidLinkStateError("This link cannot be cancelled")
  link.status = "Cancelled"
  link.cancelled_at = secPaidTime(ctx.clock.now())
  ctx.persist()
  const deliveries = ctx.secpaid.config.webhookOnCancel
    ? await ctx.webhooks.dispatch(
        secPaidWebhooksForLink(link, "cancel", {
          format: opts.webhookFormat ?? ctx.secpaid.config.webhookFormat,
          encryptedPlaintext: ctx.secpaid.config.encryptedPlaintext,
        })
      )
    : []
  return { redirectUrl: callbackRedirect(ctx, link, "cancel"), deliveries, link }
}

function linkFromQuery(ctx: SandboxContext, linkId: string | null | undefined): SecPaidLink | undefined {
  if (!linkId) return undefined
  const decoded = Buffer.from(linkId, "base64").toString("utf8")
  const link = ctx.secpaid.findLinkAnyEnvironment(decoded)
  return link && link.status !== "Deleted" ? link : undefined
}

const notFoundPage = () => html(404, page("Link not found", `<h1>Link not found</h1><p>This payment link does not exist or was deleted.</p>`))

function renderLinkPage(link: SecPaidLink): string {
  const id = escapeHtml(linkIdOf(link.id))
  const header = `<h1>Pay ${escapeHtml(link.amount)} EUR</h1>
<div class="box"><p><strong>Amount:</strong> <span id="amount">${escapeHtml(link.amount)}</span> EUR</p>
<p><strong>Reference:</strong> <span id="note">${escapeHtml(link.recipient_note)}</span></p>
<p class="note">Link ${link.id} · ${escapeHtml(link.environment)} · status <span id="status">${escapeHtml(link.status)}</span></p></div>`
  if (link.status !== "Unused") {
    return page("SecPaid", `${header}<p id="message">${escapeHtml(describeUnpayable(link))}</p>`)
  }
  const cancel = link.cancellable
    ? `<form method="post" action="/secpaid/payment/cancel"><input type="hidden" name="link_id" value="${id}"><button id="cancel" type="submit">Cancel</button></form>`
    : ""
  return page(
    "SecPaid",
    `${header}
<form method="post" action="/secpaid/payment/pay"><input type="hidden" name="link_id" value="${id}"><button id="pay" type="submit">Pay ${escapeHtml(link.amount)} EUR</button></form>
${cancel}`
  )
}

/** Routes under /secpaid that are not the API: the payment page, its forms, the QR placeholder. */
export async function handleSecPaidHostedPage(ctx: SandboxContext, req: ParsedRequest): Promise<HttpResult | undefined> {
  if (req.method === "GET" && req.path === "/secpaid/payment") {
    const link = linkFromQuery(ctx, req.query.get("link_id"))
    return link ? html(200, renderLinkPage(link)) : notFoundPage()
  }
  if (req.method === "POST" && (req.path === "/secpaid/payment/pay" || req.path === "/secpaid/payment/cancel")) {
    const form = (req.body && typeof req.body === "object" ? req.body : {}) as Record<string, unknown>
    const link = linkFromQuery(ctx, typeof form.link_id === "string" ? form.link_id : req.query.get("link_id"))
    if (!link) return notFoundPage()
    try {
      const action = req.path.endsWith("/pay") ? await paySecPaidLink(ctx, link) : await cancelSecPaidLink(ctx, link)
      return redirect(action.redirectUrl)
    } catch (e) {
      if (e instanceof SecPaidLinkStateError) return html(409, renderLinkPage(link).replace("</body>", `<p>${escapeHtml(e.message)}</p></body>`))
      throw e
    }
  }
  if (req.method === "GET" && req.path === "/secpaid/payment/done") {
    const status = req.query.get("status") === "cancel" ? "cancelled" : "paid"
    return html(200, page("SecPaid", `<h1>Payment ${status}</h1><p>The link has no callback_url, so there is nowhere to return to.</p>`))
  }
  if (req.method === "GET" && req.path === "/secpaid/qr") {
    const link = linkFromQuery(ctx, req.query.get("link_id"))
    if (!link) return notFoundPage()
    return {
      status: 200,
      headers: { "content-type": "image/svg+xml" },
      body: `<svg xmlns="http://www.w3.org/2000/svg" width="160" height="40"><text x="4" y="24" font-size="12">SecPaid link ${link.id}</text></svg>`,
    }
  }
  return undefined
}
