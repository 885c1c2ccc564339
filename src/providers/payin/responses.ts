import { z } from "zod"

/**
 * PayIn response bodies. The docs show camelCase, the server sends snake_case rows;
 * both are accepted and normalised into one internal `PayInOrder`. Amounts stay
 * decimal strings (stablecoins carry up to 18 decimals): they are compared in
 * integer units by `payment-status.ts`, never as floats.
 */

const DECIMAL = /^\d+(\.\d+)?$/

/** A gateway amount as a decimal string. Numbers are read through their shortest decimal form. */
export const payInDecimal = z
  .union([z.string(), z.number()])
  .transform((v) => (typeof v === "number" ? String(v) : v.trim()))
  .refine((v) => DECIMAL.test(v), { message: "expected a non-negative decimal amount such as \"32.25\"" })

const optionalText = z.string().nullish()

const rawOrderSchema = z.object({
  id: optionalText,
  orderId: optionalText,
  order_id: optionalText,
  orderReference: optionalText,
  order_reference: optionalText,
  status: z.string(),
  amount: payInDecimal,
  currency: optionalText,
  token: optionalText,
  chainId: optionalText,
  chain_id: optionalText,
  chain: optionalText,
  address: optionalText,
  paymentAddress: optionalText,
  payment_address: optionalText,
  paymentUrl: optionalText,
  payment_url: optionalText,
  url: optionalText,
  expiresAt: optionalText,
  expires_at: optionalText,
  grace_period_ends_at: optionalText,
  gracePeriodEndsAt: optionalText,
  confirmedReceived: payInDecimal.nullish(),
  confirmed_received: payInDecimal.nullish(),
  completedAt: optionalText,
  completed_at: optionalText,
  createdAt: optionalText,
  created_at: optionalText,
  metadata: z.record(z.string(), z.unknown()).nullish(),
})

/** One PayIn order, whichever casing it arrived in. */
export type PayInOrder = {
  id: string
  orderReference: string
  /** Lower-cased PayIn status; unknown values are kept and treated as "not paid yet". */
  status: string
  amount: string
  /** Confirmed amount received so far, "0" when nothing arrived. */
  confirmedReceived: string
  token?: string
  chainId?: string
  address?: string
  paymentUrl?: string
  /** End of the grace period: after it an unpaid order expires. */
  expiresAt?: string
  completedAt?: string
  createdAt?: string
  metadata?: Record<string, unknown>
}

/** Orders this plugin created carry the Medusa session id as reference (and in metadata). */
export function sessionIdOfOrder(order: PayInOrder): string | undefined {
  const fromMetadata = order.metadata?.session_id
  if (typeof fromMetadata === "string" && fromMetadata !== order.orderReference) return undefined
  return /^payses_\w+$/.test(order.orderReference) ? order.orderReference : undefined
}

export const payInOrderSchema = rawOrderSchema.transform((o, ctx): PayInOrder => {
  const id = o.id ?? o.orderId ?? o.order_id
  const orderReference = o.orderReference ?? o.order_reference
  if (!id || !orderReference) {
    ctx.addIssue({ code: "custom", message: "a PayIn order needs an id and an order reference" })
    return z.NEVER
  }
  return {
    id,
    orderReference,
    status: o.status.toLowerCase(),
    amount: o.amount,
    confirmedReceived: o.confirmedReceived ?? o.confirmed_received ?? "0",
    token: (o.currency ?? o.token ?? undefined)?.toUpperCase(),
    chainId: o.chainId ?? o.chain_id ?? o.chain ?? undefined,
    address: o.address ?? o.paymentAddress ?? o.payment_address ?? undefined,
    paymentUrl: o.paymentUrl ?? o.payment_url ?? o.url ?? undefined,
    expiresAt: o.expiresAt ?? o.expires_at ?? o.gracePeriodEndsAt ?? o.grace_period_ends_at ?? undefined,
    completedAt: o.completedAt ?? o.completed_at ?? undefined,
    createdAt: o.createdAt ?? o.created_at ?? undefined,
    metadata: o.metadata ?? undefined,
  }
})

/** `{ success: true, data, message?, pagination? }`. */
export const payInSuccessEnvelopeSchema = z.object({
  success: z.literal(true),
  data: z.unknown(),
  message: z.string().nullish(),
  pagination: z
    .object({ page: z.number().optional(), limit: z.number().optional(), total: z.number().optional(), totalPages: z.number().optional() })
    .partial()
    .nullish(),
})

/**
 * Error bodies: the documented `{ success: false, error, code, message, suggestions }`
 * and the bare `{ error, message }` (401, 404, 500) both parse; `request_id` is kept
 * when the server sends one.
 */
export const payInErrorBodySchema = z
  .object({
    success: z.literal(false).optional(),
    error: z.string().nullish(),
    code: z.string().nullish(),
    message: z.string().nullish(),
    suggestions: z.array(z.unknown()).nullish(),
    requestId: z.string().nullish(),
    request_id: z.string().nullish(),
  })
  .transform((b) => ({
    code: b.code ?? undefined,
    error: b.error ?? undefined,
    message: b.message ?? b.error ?? undefined,
    requestId: b.requestId ?? b.request_id ?? undefined,
  }))

export type PayInErrorBody = z.output<typeof payInErrorBodySchema>
