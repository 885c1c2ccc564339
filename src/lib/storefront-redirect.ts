import { z } from "zod"

/**
 * Where a customer goes after a gateway's hosted page sends them back to this
 * store. Gateway-neutral: SecPaid's and PayIn's browser-return routes both use it.
 *
 * The only targets ever produced are (a) the shop's configured return URL or
 * (b) a URL whose origin is on the configured allow-list. Anything the request
 * itself proposes (a `return_to` query, a Referer) is untrusted and is used only
 * when its origin is allowed — so the route can never become an open redirect.
 */

export type StorefrontPaymentOutcome = "paid" | "pending" | "canceled" | "failed"

export type StorefrontRedirectParams = {
  status: StorefrontPaymentOutcome
  cart_id?: string
  order_id?: string
  /** Extra, non-secret values (e.g. the provider id). */
  [key: string]: string | undefined
}

export type StorefrontRedirectConfig = {
  /** The shop's configured return URL (trusted: comes from options). */
  storefrontReturnUrl?: string
  /** Origins (scheme://host[:port]) a redirect may go to, besides the return URL's own origin. */
  allowedStorefrontOrigins?: readonly string[]
}

const httpUrl = z
  .string()
  .trim()
  .refine((value) => parseHttpUrl(value) !== undefined, { message: "must be an absolute http:// or https:// URL" })

/** Zod schema for one allowed-origin entry; normalises to `scheme://host[:port]`. */
export const storefrontOriginSchema = httpUrl.transform((value) => new URL(value).origin)

/** Zod schema for a storefront return URL option. */
export const storefrontReturnUrlSchema = httpUrl

function parseHttpUrl(value: string): URL | undefined {
  try {
    const url = new URL(value)
    if (url.protocol !== "http:" && url.protocol !== "https:") return undefined
    // Credentials in a redirect target are a phishing vector, never legitimate here.
    if (url.username || url.password) return undefined
    return url
  } catch {
    return undefined
  }
}

/** The set of origins a redirect may target, including the configured return URL's own origin. */
export function allowedStorefrontOrigins(config: StorefrontRedirectConfig): Set<string> {
  const origins = new Set<string>()
  const own = config.storefrontReturnUrl ? parseHttpUrl(config.storefrontReturnUrl) : undefined
  if (own) origins.add(own.origin)
  for (const entry of config.allowedStorefrontOrigins ?? []) {
    const url = parseHttpUrl(entry.trim())
    if (url) origins.add(url.origin)
  }
  return origins
}

/** True when `candidate` is an absolute http(s) URL whose origin is exactly one of the allowed ones. */
export function isAllowedStorefrontUrl(candidate: string, config: StorefrontRedirectConfig): boolean {
  const url = parseHttpUrl(candidate)
  return !!url && allowedStorefrontOrigins(config).has(url.origin)
}

/**
 * Builds the redirect target: the requested URL when its origin is allowed,
 * otherwise the configured return URL; `undefined` when neither is usable (the
 * caller then renders a status page instead of redirecting). The outcome is
 * appended as query parameters, keeping any the target already has.
 */
export function buildStorefrontRedirectUrl(
  config: StorefrontRedirectConfig,
  params: StorefrontRedirectParams,
  requestedUrl?: string | null
): string | undefined {
  const base =
    requestedUrl && isAllowedStorefrontUrl(requestedUrl, config)
      ? requestedUrl
      : config.storefrontReturnUrl && parseHttpUrl(config.storefrontReturnUrl)
        ? config.storefrontReturnUrl
        : undefined
  if (!base) return undefined
  const url = new URL(base)
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== "") url.searchParams.set(key, value)
  }
  return url.toString()
}

const OUTCOME_TEXT: Record<StorefrontPaymentOutcome, string> = {
  paid: "Thank you — your payment was received and your order is being placed.",
  pending: "Your payment has not been confirmed yet. You can close this page; the order is placed as soon as the payment arrives.",
  canceled: "The payment was canceled. You can return to the shop and try again.",
  failed: "The payment could not be confirmed. Please return to the shop and try again, or contact the shop.",
}

/** A tiny HTML page for stores that have no storefront return URL configured. */
export function renderPaymentStatusPage(params: StorefrontRedirectParams): string {
  const escape = (s: string) =>
    s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string)
  const order = params.order_id ? `<p>Order: <code>${escape(params.order_id)}</code></p>` : ""
  return (
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
    `<meta name="robots" content="noindex"><title>Payment ${escape(params.status)}</title></head>` +
    `<body style="font-family:system-ui,sans-serif;max-width:36rem;margin:4rem auto;padding:0 1rem">` +
    `<h1>Payment ${escape(params.status)}</h1><p>${escape(OUTCOME_TEXT[params.status])}</p>${order}</body></html>`
  )
}
