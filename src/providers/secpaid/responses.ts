import { z } from "zod"

/**
 * Zod schemas for what SecPaid sends back. The two generations of its docs differ
 * (`id` vs `linktopay_id`, numbers as strings, "true"/"Yes" booleans), so each
 * schema accepts every documented variant and normalises it; anything else is a
 * parse error, never silently trusted.
 */

/** Ids and counts: `42011` or `"42011"` → "42011". */
export const idString = z
  .union([z.string(), z.number().int()])
  .transform((v) => String(v).trim())
  .refine((v) => v.length > 0, { message: "must not be empty" })

/** Amounts stay as exact decimal text ("100.00", 49.99 → "49.99"); converted with lib/money. */
export const amountText = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^-?\d+(\.\d+)?$/.test(v), { message: "must be a decimal amount" })

/** true/"true"/"True"/"Yes"/"1"/1 → true; anything else (incl. missing) → false. */
export const looseBoolean = z
  .union([z.boolean(), z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => v === true || v === 1 || (typeof v === "string" && ["true", "yes", "1"].includes(v.trim().toLowerCase())))

const optionalText = z
  .union([z.string(), z.number(), z.null()])
  .optional()
  .transform((v) => (v === null || v === undefined ? undefined : String(v)))

export const envelopeSchema = z.looseObject({
  ResponseCode: z.union([z.number(), z.string()]).transform((v) => String(v).trim()),
  ResponseMsg: optionalText,
  Result: optionalText,
  data: z.unknown().optional(),
})
export type SecPaidEnvelope = z.output<typeof envelopeSchema>

export function isSuccessEnvelope(env: SecPaidEnvelope): boolean {
  return env.ResponseCode === "1" && (env.Result === undefined || env.Result.trim().toLowerCase() === "true")
}

export const createdLinkSchema = z
  .looseObject({
    id: idString.optional(),
    linktopay_id: idString.optional(),
    pay_link: z.string().url(),
    status: optionalText,
    amount: amountText.optional(),
    recipient_note: optionalText,
    is_split_link: looseBoolean,
  })
  .transform((d, ctx) => {
    const payId = d.id ?? d.linktopay_id
    if (!payId) {
      ctx.addIssue({ code: "custom", message: "the created link has neither `id` nor `linktopay_id`" })
      return z.NEVER
    }
    return { payId, payLink: d.pay_link, amount: d.amount, status: d.status, recipientNote: d.recipient_note, isSplitLink: d.is_split_link }
  })
export type SecPaidCreatedLink = z.output<typeof createdLinkSchema>

export const payInTransactionSchema = z
  .looseObject({
    pay_id: idString,
    transaction_id: optionalText,
    amount: amountText,
    net_amount: amountText.optional().nullable(),
    status: z.string(),
    recipient_note: optionalText,
    payment_method: optionalText,
    is_refund: looseBoolean,
    is_dispute: looseBoolean,
    is_split_link: looseBoolean,
    transaction_type: optionalText,
    created_at: optionalText,
  })
  .transform((r) => ({
    payId: r.pay_id,
    transactionId: r.transaction_id,
    amount: r.amount,
    status: r.status,
    recipientNote: r.recipient_note,
    paymentMethod: r.payment_method,
    isRefund: r.is_refund,
    isDispute: r.is_dispute,
    transactionType: r.transaction_type,
    createdAt: r.created_at,
  }))
export type SecPaidPayInTransaction = z.output<typeof payInTransactionSchema>

export const linkRowSchema = z
  .looseObject({
    linktopay_id: idString.optional(),
    id: idString.optional(),
    pay_id: idString.optional(),
    recipient_note: optionalText,
    amount: amountText.optional(),
    is_cancelled: looseBoolean,
    status: optionalText,
    pay_link: optionalText,
    paid_on: optionalText,
  })
  .transform((r, ctx) => {
    const payId = r.linktopay_id ?? r.id ?? r.pay_id
    if (!payId) {
      ctx.addIssue({ code: "custom", message: "a link row has no `linktopay_id`" })
      return z.NEVER
    }
    const cancelled = r.is_cancelled || /cancel/i.test(r.status ?? "")
    return { payId, recipientNote: r.recipient_note, amount: r.amount, isCancelled: cancelled, payLink: r.pay_link, paidOn: r.paid_on, status: r.status }
  })
export type SecPaidLinkRow = z.output<typeof linkRowSchema>

/**
 * List payloads arrive as an array, a single object, `null`, or wrapped once more
 * (`{ data: [...] }`, `{ list: [...] }`, `{ rows: [...] }`): all become an array.
 */
export function listOf<T extends z.ZodTypeAny>(row: T) {
  return z.preprocess((value) => {
    if (value === null || value === undefined || value === "") return []
    if (Array.isArray(value)) return value
    if (typeof value === "object") {
      for (const key of ["data", "list", "rows", "transactions", "links"]) {
        const inner = (value as Record<string, unknown>)[key]
        if (Array.isArray(inner)) return inner
      }
      return Object.keys(value as object).length ? [value] : []
    }
    return value
  }, z.array(row))
}

export const payInTransactionsSchema = listOf(payInTransactionSchema)
export const linkRowsSchema = listOf(linkRowSchema)
