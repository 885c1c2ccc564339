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
    /**
     * Days a row of the webhook delivery log (`payment_gateway_webhook_delivery`) is kept
     * before the prune job deletes it; 0 keeps the log forever.
     */
    deliveryLogRetentionDays: z.number().int().min(0).max(36_500).default(30),
    /**
     * Days an inbox event (`payment_gateway_webhook_event`) that was processed into a
     * no-op (`no_action_*`, `ignored_*`: forged or unverifiable claims, unknown sessions,
     * late cancels) is kept before the prune job deletes it; 0 keeps them forever. A week
     * is enough to look into an odd one; events that moved money are never pruned.
     */
    ignoredEventRetentionDays: z.number().int().min(0).max(36_500).default(7),
  })

export type PaymentGatewaysOptions = z.output<typeof paymentGatewaysOptionsSchema>

/**
 * Module options win; environment variables fill what they leave out, because a shop
 * that installs the plugin gets the module without writing options for it:
 * PAYMENT_GATEWAYS_MAX_ATTEMPTS, PAYMENT_GATEWAYS_BASE_BACKOFF_MS, PAYMENT_GATEWAYS_PROCESSING_LOCK_MS,
 * PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS, PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS.
 */
export function parsePaymentGatewaysOptions(raw: unknown, env: NodeJS.ProcessEnv = process.env): PaymentGatewaysOptions {
  const fromEnv: Record<string, number> = {}
  const envInt = (key: string, option: string) => {
    const value = env[key]
    if (value !== undefined && value !== "") fromEnv[option] = /^\d+$/.test(value) ? Number.parseInt(value, 10) : Number.NaN
  }
  envInt("PAYMENT_GATEWAYS_MAX_ATTEMPTS", "maxAttempts")
  envInt("PAYMENT_GATEWAYS_BASE_BACKOFF_MS", "baseBackoffMs")
  envInt("PAYMENT_GATEWAYS_PROCESSING_LOCK_MS", "processingLockMs")
  envInt("PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS", "deliveryLogRetentionDays")
  envInt("PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS", "ignoredEventRetentionDays")
  const given = raw && typeof raw === "object" ? (raw as Record<string, unknown>) : {}
  const parsed = paymentGatewaysOptionsSchema.safeParse({ ...fromEnv, ...given })
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
