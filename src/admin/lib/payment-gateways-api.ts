import { sdk } from "./sdk"
import type { OrderGatewayPayment } from "../../api/admin/payment-gateways/orders/order-gateway-payment"

/** Shapes of the plugin's admin API (src/api/admin/payment-gateways/**), as the admin UI reads them. */

export type GatewayId = "secpaid" | "payin"
export type SettingSource = "admin" | "medusa-config" | "default"

export type DescribedSetting = {
  name: string
  kind: "boolean" | "enum" | "secret" | "url" | "list" | "text"
  label: string
  values?: string[]
  help?: string
  value: unknown
  source: SettingSource
  saved: boolean
}

/** One provider registration of a gateway (`pp_secpaid_eu`) with its effective settings. */
export type DescribedGateway = {
  /** The gateway; kept for clients written before registrations were listed one by one. */
  id: GatewayId
  gateway: GatewayId
  provider_id: string
  registration_id: string
  /** The gateway's name (`SecPaid`). */
  name: string
  /** The registration's name on the page (`SecPaid — eu`, or `SecPaid` for the gateway's only registration under its own name). */
  label: string
  enabled: boolean
  settings: DescribedSetting[]
  webhook: { url: string; where: string }
  problems: string[]
  updated_at: string | null
}

export type EncryptionStatus = { available: boolean; source: "env" | "development" | null; message: string }

export type ConnectionResult = { gateway: GatewayId; provider_id: string; ok: boolean; message: string; environment?: string; checked_at: string }

export type WebhookDelivery = {
  id: string
  gateway: GatewayId
  verdict: string
  http_status: number
  detail: string | null
  event_id: string | null
  received_at: string
  /** More than 1 on a row counting deliveries over the per-minute caps, the last of them at `last_received_at`. */
  repeat_count: number
  last_received_at: string | null
}

export type WebhookEvent = {
  id: string
  gateway: GatewayId
  event_id: string
  source: string
  event_type: string | null
  reference: string | null
  status: string
  outcome: string | null
  attempts: number
  last_error: string | null
  received_at: string
  order_id: string | null
}

/** The server's answer, as the order route describes it (a type only: nothing of the server is bundled). */
export type { OrderGatewayPayment }

const base = "/admin/payment-gateways"

export const paymentGatewaysApi = {
  listSettings: () => sdk.client.fetch<{ encryption: EncryptionStatus; gateways: DescribedGateway[] }>(`${base}/settings`),
  /** Saves one registration's settings, named by its provider id (`pp_secpaid_eu`). */
  saveSettings: (providerId: string, body: Record<string, unknown>) =>
    sdk.client.fetch<{ encryption: EncryptionStatus; gateway: DescribedGateway }>(`${base}/settings/${encodeURIComponent(providerId)}`, { method: "POST", body }),
  testConnection: (providerId: string, body: Record<string, unknown>) =>
    sdk.client.fetch<ConnectionResult>(`${base}/test-connection/${encodeURIComponent(providerId)}`, { method: "POST", body }),
  deliveries: (gateway: GatewayId, limit = 10) =>
    sdk.client.fetch<{ webhook_deliveries: WebhookDelivery[] }>(`${base}/webhook-deliveries`, { query: { gateway, limit } }),
  events: (gateway: GatewayId, status?: string, limit = 10) =>
    sdk.client.fetch<{ webhook_events: WebhookEvent[] }>(`${base}/webhook-events`, { query: { gateway, limit, ...(status ? { status } : {}) } }),
  retryEvent: (id: string) => sdk.client.fetch<{ webhook_event: WebhookEvent }>(`${base}/webhook-events/${id}/retry`, { method: "POST" }),
  orderPayment: (orderId: string) => sdk.client.fetch<{ payment: OrderGatewayPayment | null }>(`${base}/orders/${orderId}`),
  reverifyOrder: (orderId: string) =>
    sdk.client.fetch<{ check: { ok: boolean; status?: string; message: string; reconciled?: boolean }; payment: OrderGatewayPayment | null }>(
      `${base}/orders/${orderId}/reverify`,
      { method: "POST" }
    ),
}

/** Field names an API sentence refers to (`apiKey`), to mark those inputs. */
export function fieldsNamedIn(message: string): string[] {
  return [...message.matchAll(/`(\w+)`/g)].map((m) => m[1])
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—"
  const d = new Date(iso)
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString()
}
