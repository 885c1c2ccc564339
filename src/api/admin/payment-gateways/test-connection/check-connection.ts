import { GatewayError } from "../../../../lib/errors"
import { redactString } from "../../../../lib/redact"
import { PayInClient } from "../../../../providers/payin/client"
import { parsePayInOptions } from "../../../../providers/payin/options"
import { SecPaidClient } from "../../../../providers/secpaid/client"
import { parseSecPaidOptions, secPaidBaseUrl } from "../../../../providers/secpaid/options"

/**
 * "Test connection": one harmless authenticated read per gateway with the given
 * options, answered with OK or the gateway's own message. One attempt, short
 * timeout: the merchant is waiting at the button.
 */
export type ConnectionCheck = { ok: boolean; message: string; environment?: string; baseUrl?: string }

const TEST_TIMEOUT_MS = 15_000

/** SecPaid getMyUnusedLinks with limit 1: needs a valid `token`, changes nothing. */
export async function checkSecPaidConnection(rawOptions: Record<string, unknown>): Promise<ConnectionCheck> {
  const options = parseSecPaidOptions(rawOptions)
  const baseUrl = secPaidBaseUrl(options)
  const client = new SecPaidClient({
    apiKey: options.apiKey,
    baseUrl,
    timeoutMs: Math.min(options.requestTimeoutMs, TEST_TIMEOUT_MS),
    environment: options.environment,
    extraSecrets: [options.encryptionKey ?? ""],
    maxAttempts: 1,
  })
  try {
    await client.getMyUnusedLinks({ limit: 1 })
    return { ok: true, environment: options.environment, baseUrl, message: `SecPaid accepted the API key (${options.environment}, ${baseUrl}).` }
  } catch (error) {
    return { ok: false, environment: options.environment, baseUrl, message: failureMessage(error, [options.apiKey, options.encryptionKey]) }
  }
}

/** PayIn GET /orders?limit=1: needs a valid Bearer key, changes nothing. */
export async function checkPayInConnection(rawOptions: Record<string, unknown>): Promise<ConnectionCheck> {
  const options = parsePayInOptions(rawOptions)
  const client = new PayInClient({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    timeoutMs: Math.min(options.requestTimeoutMs, TEST_TIMEOUT_MS),
    retry: { attempts: 1 },
  })
  try {
    await client.listOrders({ limit: 1 })
    return { ok: true, environment: options.environment, baseUrl: options.baseUrl, message: `PayIn accepted the API key (${options.environment}, ${options.baseUrl}).` }
  } catch (error) {
    return {
      ok: false,
      environment: options.environment,
      baseUrl: options.baseUrl,
      message: failureMessage(error, [options.apiKey, options.webhookSecret]),
    }
  }
}

function failureMessage(error: unknown, secrets: Array<string | undefined>): string {
  const text = error instanceof GatewayError || error instanceof Error ? error.message : String(error)
  return redactString(text, secrets)
}
