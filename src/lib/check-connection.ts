import { GatewayError } from "./errors"
import { redactString } from "./redact"

/**
 * "Test connection" in the admin: one harmless authenticated read at the gateway with
 * the given options, answered with OK or the gateway's own message. One attempt,
 * short timeout: the merchant is waiting at the button. Each gateway's check lives in
 * its folder (`check-connection.ts`).
 */
export type ConnectionCheck = { ok: boolean; message: string; environment?: string; baseUrl?: string }

export const CONNECTION_TEST_TIMEOUT_MS = 15_000

/** The failure's own sentence, with the options' secrets taken out. */
export function connectionFailureMessage(error: unknown, secrets: Array<string | undefined>): string {
  const text = error instanceof GatewayError || error instanceof Error ? error.message : String(error)
  return redactString(text, secrets)
}
