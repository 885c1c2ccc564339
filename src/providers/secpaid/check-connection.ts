import { type ConnectionCheck, CONNECTION_TEST_TIMEOUT_MS, connectionFailureMessage } from "../../lib/check-connection"
import { SecPaidClient } from "./client"
import { parseSecPaidOptions, secPaidBaseUrl } from "./options"

/** SecPaid getMyUnusedLinks with limit 1: needs a valid `token`, changes nothing. */
export async function checkSecPaidConnection(rawOptions: Record<string, unknown>): Promise<ConnectionCheck> {
  const options = parseSecPaidOptions(rawOptions)
  const baseUrl = secPaidBaseUrl(options)
  const client = new SecPaidClient({
    apiKey: options.apiKey,
    baseUrl,
    timeoutMs: Math.min(options.requestTimeoutMs, CONNECTION_TEST_TIMEOUT_MS),
    environment: options.environment,
    extraSecrets: [options.encryptionKey ?? ""],
    maxAttempts: 1,
  })
  try {
    await client.getMyUnusedLinks({ limit: 1 })
    return { ok: true, environment: options.environment, baseUrl, message: `SecPaid accepted the API key (${options.environment}, ${baseUrl}).` }
  } catch (error) {
    return { ok: false, environment: options.environment, baseUrl, message: connectionFailureMessage(error, [options.apiKey, options.encryptionKey]) }
  }
}
