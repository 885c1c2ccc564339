import type { ConnectionCheck } from "./check-connection"
import type { GatewayId } from "./gateway-settings"

/**
 * What the plugin's shared layer (admin routes, the order widget, the inbox,
 * reconciliation) needs from a gateway, implemented once per gateway in its folder
 * (`src/providers/<gateway>/adapter.ts`). Shared code asks the adapter instead of
 * branching on the gateway's name; a third gateway is added by writing its adapter
 * and listing it in `src/modules/payment-gateways/gateway-adapters.ts`.
 */
export interface GatewayAdapter {
  readonly gateway: GatewayId
  /** The gateway's name as merchants know it. */
  readonly label: string
  /** What the gateway calls its own reference of a payment ("Link id", "PayIn order id"). */
  readonly referenceLabel: string
  /** The gateway's facts about a payment, read from the Medusa session/payment data its provider wrote. */
  summarizeSessionData(data: Record<string, unknown>): GatewaySessionSummary
  /** The provider's own option parser: the options it would run with, or a thrown sentence naming the bad option. */
  parseOptions(rawOptions: Record<string, unknown>): Record<string, unknown>
  /** One harmless authenticated read with these (raw, unparsed) provider options. */
  checkConnection(rawOptions: Record<string, unknown>): Promise<ConnectionCheck>
  /** The webhook URL the gateway posts to for this registration, and where the merchant puts it (admin page). */
  webhookUrl(input: WebhookUrlInput): { url: string; where: string }
}

export type WebhookUrlInput = {
  /** This store's public URL, without a trailing slash. */
  backendUrl: string
  /** The registration's effective (raw) provider options. */
  options: Record<string, unknown>
  registrationId?: string
  /** How many registrations the gateway has in this store. */
  registrationsOfGateway: number
}

/** Strings as the gateway gave them (amounts are decimal strings, never numbers); null when unknown. */
export type GatewaySessionSummary = {
  reference: string | null
  paymentUrl: string | null
  gatewayStatus: string | null
  receivedAmount: string | null
}

/** A session-data value as text: strings as they are, integers (ids) in decimal, anything else null. */
export function sessionText(value: unknown): string | null {
  if (typeof value === "string") return value === "" ? null : value
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value)
  return null
}
