import { z } from "zod"

/**
 * What the SecPaid provider keeps in a Medusa payment session's / payment's
 * `data`. The storefront can read it through the Store API, so it holds ids, the
 * link to redirect to and outcomes — never a key or a token.
 */
export const secPaidRefundSchema = z.object({
  status: z.enum(["requested", "approved"]),
  amount: z.string(),
  requested_at: z.string(),
  full: z.boolean().optional(),
  approved_amount: z.string().optional(),
  note: z.string().optional(),
})
export type SecPaidRefundRecord = z.infer<typeof secPaidRefundSchema>

export const secPaidSessionDataSchema = z.looseObject({
  session_id: z.string().optional(),
  cart_id: z.string().optional(),
  pay_id: z.string().optional(),
  pay_link: z.string().optional(),
  amount: z.string().optional(),
  currency: z.string().optional(),
  recipient_note: z.string().optional(),
  split: z.boolean().optional(),
  secpaid_status: z.string().optional(),
  paid_amount: z.string().optional(),
  transaction_id: z.string().optional(),
  verified_at: z.string().optional(),
  error_reason: z.string().optional(),
  canceled_at: z.string().optional(),
  refund: secPaidRefundSchema.optional(),
})
export type SecPaidSessionData = z.infer<typeof secPaidSessionDataSchema>

/** Reads stored data; a value of the wrong type is dropped rather than trusted. */
export function readSecPaidSessionData(data: unknown): SecPaidSessionData {
  const parsed = secPaidSessionDataSchema.safeParse(data ?? {})
  if (parsed.success) return parsed.data
  const clean: Record<string, unknown> = { ...(data as Record<string, unknown>) }
  for (const issue of parsed.error.issues) if (issue.path.length) delete clean[String(issue.path[0])]
  return secPaidSessionDataSchema.parse(clean)
}
