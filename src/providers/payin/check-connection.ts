import { type ConnectionCheck, CONNECTION_TEST_TIMEOUT_MS, connectionFailureMessage } from "../../lib/check-connection"
import { PayInClient } from "./client"
import { parsePayInOptions } from "./options"

/** PayIn GET /orders?limit=1: needs a valid Bearer key, changes nothing. */
export async function checkPayInConnection(rawOptions: Record<string, unknown>): Promise<ConnectionCheck> {
  const options = parsePayInOptions(rawOptions)
  const client = new PayInClient({
    apiKey: options.apiKey,
    baseUrl: options.baseUrl,
    timeoutMs: Math.min(options.requestTimeoutMs, CONNECTION_TEST_TIMEOUT_MS),
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
      message: connectionFailureMessage(error, [options.apiKey, options.webhookSecret]),
    }
  }
}
