import { isIP } from "node:net"
import { z } from "zod"
import { decimalToMinorUnits } from "../../lib/money"
import { storefrontOriginSchema, storefrontReturnUrlSchema } from "../../lib/storefront-redirect"
import { isUrlSafeRegistrationId } from "../../modules/payment-gateways/registrations"

/**
 * Options of the SecPaid provider, as a shop writes them in medusa-config:
 *
 * ```ts
 * { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "secpaid", options: { apiKey, backendUrl, … } }
 * ```
 * Everything is validated in `SecPaidProviderService.validateOptions` before the
 * provider is constructed, so a wrong option stops boot with a sentence naming it.
 */

export const SECPAID_IDENTIFIER = "secpaid"

export const SECPAID_BASE_URLS = {
  development: "https://app.dev.secpaid.com/api/v2/",
  production: "https://app.secpaid.com/api/v2/",
} as const

export type SecPaidEnvironment = keyof typeof SECPAID_BASE_URLS

/**
 * Where SecPaid posts webhooks unless `paymentEndpoint` says otherwise: the plugin's
 * durable inbox route of the registration (`/hooks/secpaid/<registration id>`), which
 * stores every event before answering (Medusa's core `/hooks/payment/secpaid_<id>` keeps
 * it only in memory and waits 5 s). Without a registration id (or one that cannot stand
 * in a URL as it is), the bare `/hooks/secpaid`, which serves every registration.
 */
export function defaultSecPaidPaymentEndpoint(backendUrl: string, registrationId?: string): string {
  const base = `${trimSlash(backendUrl)}/hooks/secpaid`
  return registrationId && isUrlSafeRegistrationId(registrationId) ? `${base}/${registrationId}` : base
}

/** The browser-return route; the Medusa session id travels in the path (SecPaid appends its own query). */
export function secPaidReturnUrl(backendUrl: string, sessionId: string): string {
  return `${trimSlash(backendUrl)}/hooks/secpaid/return/${encodeURIComponent(sessionId)}`
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000
/** SecPaid's published limit: 60 requests per minute per user. */
export const SECPAID_REQUESTS_PER_MINUTE = 60

const reserve = z.coerce.number().int().min(0).max(SECPAID_REQUESTS_PER_MINUTE - 1)
const waitMs = z.coerce.number().int().min(0).max(120_000)

/**
 * How the 60 requests a minute are shared out (see "SecPaid request budget" in the
 * README): the free requests each kind of call must leave behind, how long each may
 * wait for one, and how many calls one process lets wait at a time. Checkout leaves
 * nothing behind; the defaults keep 10 a minute for checkout alone and 30 away from
 * anonymous and background work.
 */
export const secPaidRequestBudgetSchema = z
  .object({
    reserves: z
      .object({ verification: reserve.default(10), anonymous: reserve.default(30), background: reserve.default(30) })
      .prefault({}),
    maxWaitMs: z
      .object({
        checkout: waitMs.default(20_000),
        verification: waitMs.default(15_000),
        anonymous: waitMs.default(5_000),
        background: waitMs.default(10_000),
      })
      .prefault({}),
    maxWaiters: z.coerce.number().int().min(1).max(10_000).default(50),
  })
  .refine((b) => b.reserves.verification <= Math.min(b.reserves.anonymous, b.reserves.background), {
    message: "reserves.verification must not be larger than reserves.anonymous or reserves.background (a more urgent call may never be kept back more)",
  })
  .transform((b) => ({ ...b, reserves: { checkout: 0, ...b.reserves } }))

function trimSlash(url: string): string {
  return url.replace(/\/+$/, "")
}

/** Booleans may come from env strings ("true"/"false"/"yes"/"no"/"1"/"0"). */
const booleanOption = z.preprocess((value) => {
  if (typeof value !== "string") return value
  const v = value.trim().toLowerCase()
  if (["true", "yes", "1"].includes(v)) return true
  if (["false", "no", "0"].includes(v)) return false
  return value
}, z.boolean())

const httpUrl = z.string().trim().url().refine((u) => /^https?:\/\//i.test(u), { message: "must start with http:// or https://" })

/** A SecPaid endpoint entry: a full URL or an index ("0", "1") into the URLs saved in the SecPaid profile. */
const endpointEntry = z
  .string()
  .trim()
  .refine((v) => /^\d+$/.test(v) || /^https?:\/\/[^\s,]+$/i.test(v), {
    message: "each entry must be a full http(s) URL or a profile index such as \"0\"",
  })

/** Accepts "0,https://…" (SecPaid's own comma form), an array, or one value. */
const endpointList = z.preprocess(
  (value) => (typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value),
  z.array(endpointEntry).min(1)
)

const originList = z.preprocess(
  (value) => (typeof value === "string" ? value.split(",").map((s) => s.trim()).filter(Boolean) : value),
  z.array(storefrontOriginSchema)
)

const decimalShare = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d+(\.\d{1,2})?$/.test(v), { message: "must be a positive decimal with at most 2 decimals" })

export const secPaidOptionsSchema = z
  .object({
    apiKey: z.string({ error: "is required (the SecPaid API key sent in the `token` header)" }).trim().min(1, "is required"),
    environment: z.enum(["development", "production"]).default("development"),
    baseUrl: httpUrl.optional(),
    backendUrl: httpUrl.optional(),
    paymentEndpoint: endpointList.optional(),
    callbackUrl: endpointList.optional(),
    cancellable: booleanOption.default(true),
    bankTransfer: booleanOption.default(false),
    encryptionKey: z
      .string()
      .refine((v) => v.length === 32, { message: "must be exactly 32 characters (AES-256 key)" })
      .optional(),
    splitRecipients: z
      .array(z.object({ token: z.string().trim().min(1, "token is required"), share: decimalShare }))
      .min(1)
      .optional(),
    splitType: z.enum(["normal", "absolute"]).default("normal"),
    storefrontReturnUrl: storefrontReturnUrlSchema.optional(),
    allowedStorefrontOrigins: originList.optional(),
    requestTimeoutMs: z.coerce.number().int().positive().max(300_000).default(DEFAULT_REQUEST_TIMEOUT_MS),
    requestBudget: secPaidRequestBudgetSchema.prefault({}),
  })
  .superRefine((o, ctx) => {
    if (!o.backendUrl && (!o.paymentEndpoint || !o.callbackUrl)) {
      ctx.addIssue({
        code: "custom",
        path: ["backendUrl"],
        message: "is required unless both paymentEndpoint and callbackUrl are set (it is the store's public URL, used for the webhook and browser-return URLs)",
      })
    }
    if (o.splitRecipients && o.splitType === "normal") {
      const over = o.splitRecipients.some((r) => decimalToMinorUnits(r.share, 2) > 10_000n)
      if (over) ctx.addIssue({ code: "custom", path: ["splitRecipients"], message: "shares are percentages (0–100) when splitType is \"normal\"" })
    }
    if (o.environment !== "production") return
    const urls: Array<[string, string]> = []
    if (o.baseUrl) urls.push(["baseUrl", o.baseUrl])
    for (const e of o.paymentEndpoint ?? []) if (!/^\d+$/.test(e)) urls.push(["paymentEndpoint", e])
    for (const e of o.callbackUrl ?? []) if (!/^\d+$/.test(e)) urls.push(["callbackUrl", e])
    if (o.backendUrl && (!o.paymentEndpoint || !o.callbackUrl)) urls.push(["backendUrl", o.backendUrl])
    for (const [path, url] of urls) {
      const problem = productionUrlProblem(url)
      if (problem) ctx.addIssue({ code: "custom", path: [path], message: `${problem} in production (got ${url})` })
    }
  })

export type SecPaidOptionsInput = z.input<typeof secPaidOptionsSchema>
export type SecPaidOptions = z.output<typeof secPaidOptionsSchema>

/** Why a URL may not be used in production, or undefined when it is fine. */
export function productionUrlProblem(value: string): string | undefined {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return "must be a valid URL"
  }
  if (url.protocol !== "https:") return "must use https://"
  if (isPrivateHost(url.hostname)) return "must be a public host, not a private or loopback address"
  return undefined
}

export function isPrivateHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, "").toLowerCase()
  if (host === "localhost" || host.endsWith(".localhost") || host.endsWith(".local") || host.endsWith(".internal")) return true
  const family = isIP(host)
  if (family === 4) {
    const [a, b] = host.split(".").map((p) => Number.parseInt(p, 10))
    return (
      a === 10 || a === 127 || a === 0 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    )
  }
  if (family === 6) {
    if (host === "::1" || host === "::") return true
    if (host.startsWith("::ffff:")) return isPrivateHost(host.slice(7))
    return /^f[cd]/.test(host) || /^fe[89ab]/.test(host)
  }
  return false
}

/**
 * Validates raw options and returns the parsed ones; throws one sentence per
 * problem, each naming the option (never echoing the API or encryption key).
 */
export function parseSecPaidOptions(raw: unknown): SecPaidOptions {
  const result = secPaidOptionsSchema.safeParse(raw ?? {})
  if (result.success) return result.data
  const problems = result.error.issues.map((issue) => {
    const name = issue.path.length ? issue.path.map(String).join(".") : "options"
    const message = issue.code === "invalid_type" && issue.input === undefined ? "is required" : issue.message
    return `SecPaid option \`${name}\` ${message}.`
  })
  throw new Error(`${problems.join(" ")} Fix the SecPaid provider options in medusa-config.ts.`)
}

export function secPaidBaseUrl(options: Pick<SecPaidOptions, "baseUrl" | "environment">): string {
  const base = options.baseUrl ?? SECPAID_BASE_URLS[options.environment]
  return base.endsWith("/") ? base : `${base}/`
}
