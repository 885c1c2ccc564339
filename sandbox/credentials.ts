/**
 * Fixed default credentials of the sandbox, so any tool (the plugin's tests, curl,
 * a developer's .env) can talk to it without provisioning. Each can be overridden
 * by the environment variable of the same name. These are sandbox-only values:
 * they unlock nothing outside this process.
 */
import { createHash } from "node:crypto"

const env = process.env

/** SecPaid development-environment API key (the `token` header). */
export const SANDBOX_SECPAID_DEV_KEY = env.SANDBOX_SECPAID_DEV_KEY || "sp_dev_S3ZOMroDliZZBWyL"
/** SecPaid production-environment API key; rejected where the development key is expected and vice versa. */
export const SANDBOX_SECPAID_PROD_KEY = env.SANDBOX_SECPAID_PROD_KEY || "sp_live_Q7kRt2VwXc9Lm4Pz"
/** The merchant user id SecPaid puts in redirects and webhooks (`user_id`). */
export const SANDBOX_SECPAID_USER_ID = env.SANDBOX_SECPAID_USER_ID || "sandbox-merchant-7f3a"
/** PayIn API key (`Authorization: Bearer …`). */
export const SANDBOX_PAYIN_API_KEY = env.SANDBOX_PAYIN_API_KEY || "pk_test_sandbox_3f9c2a7d81b64e05"
/** Secret PayIn signs webhooks with (`X-PayIn-Signature`). */
export const SANDBOX_PAYIN_WEBHOOK_SECRET = env.SANDBOX_PAYIN_WEBHOOK_SECRET || "whsec_sandbox_9d4e1b7c2a6f8e30"

export type SecPaidEnvironment = "development" | "production"

/**
 * Label of the account the built-in keys belong to. Further accounts are added through the control API
 * (`secpaidAddAccount`, `payinAddAccount`) and are labelled by the caller or by `accountLabelOfKey`.
 */
export const DEFAULT_ACCOUNT = "default"

/** Non-secret label derived from an API key, for accounts added without a label of their own. */
export function accountLabelOfKey(apiKey: string): string {
  return `acct_${createHash("sha256").update(apiKey).digest("hex").slice(0, 10)}`
}
