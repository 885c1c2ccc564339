import { z } from "zod"

/**
 * Options of the payment-gateways module (`{ resolve: "…/modules/payment-gateways", options }`).
 * Every one has a default, so a shop that only installs the plugin gets the durable inbox.
 */
export const paymentGatewaysOptionsSchema = z
  .object({
    /** Processing attempts before an event becomes a dead letter the admin can retry. */
    maxAttempts: z.number().int().min(1).max(100).default(8),
    /** First retry delay; each further attempt doubles it (capped at `maxBackoffMs`). */
    baseBackoffMs: z.number().int().min(100).default(5_000),
    maxBackoffMs: z.number().int().min(1_000).default(60 * 60_000),
    /** How long a claimed event stays locked to one instance before another may take it over. */
    processingLockMs: z.number().int().min(5_000).default(2 * 60_000),
  })
  .default({ maxAttempts: 8, baseBackoffMs: 5_000, maxBackoffMs: 60 * 60_000, processingLockMs: 2 * 60_000 })

export type PaymentGatewaysOptions = z.output<typeof paymentGatewaysOptionsSchema>

export function parsePaymentGatewaysOptions(raw: unknown): PaymentGatewaysOptions {
  const parsed = paymentGatewaysOptionsSchema.safeParse(raw ?? undefined)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    throw new Error(
      `The payment-gateways module option \`${issue.path.join(".") || "options"}\` is invalid (${issue.message}); fix it in medusa-config.ts.`
    )
  }
  return parsed.data
}

/** Delay before attempt `attempts + 1`, doubling from `baseBackoffMs`. */
export function backoffDelayMs(attempts: number, options: Pick<PaymentGatewaysOptions, "baseBackoffMs" | "maxBackoffMs">): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 30))
  return Math.min(options.baseBackoffMs * 2 ** exponent, options.maxBackoffMs)
}
