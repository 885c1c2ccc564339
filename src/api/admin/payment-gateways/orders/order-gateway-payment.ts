import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { isPaymentFullyCaptured, paymentCaptureFields } from "../../../../lib/payment-capture"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { sessionText } from "../../../../lib/gateway-adapter"
import type { GatewayId } from "../../../../lib/gateway-settings"
import { gatewayAdapter } from "../../../../modules/payment-gateways/gateway-adapters"
import { type GatewayRegistration, registrationOfProviderId } from "../../../../modules/payment-gateways/registrations"

/**
 * What the order page widget shows about a SecPaid / PayIn payment: the gateway
 * reference, how far verification got, the last webhook, the amount the gateway
 * reported as received, and the flags the merchant must look at. Session data is the
 * providers' own (no secrets, see their session-data schemas).
 */
export type OrderGatewayPayment = {
  order_id: string
  gateway: GatewayId
  /** The gateway's name as merchants know it. */
  gateway_label: string
  provider_id: string
  /** The `id` of the provider's registration in medusa-config.ts (`eu` for `pp_secpaid_eu`); "" when it has none. */
  registration_id: string
  session_id: string
  /** SecPaid pay_id / PayIn order id. */
  reference: string | null
  /** What the gateway calls that reference ("Link id", "PayIn order id"). */
  reference_label: string
  payment_url: string | null
  amount: string | null
  currency_code: string
  /** The gateway's own status word as last seen (SecPaid secpaid_status, PayIn payin_status). */
  gateway_status: string | null
  verification: { state: "captured" | "authorized" | "awaiting_payment" | "failed" | "canceled"; session_status: string; verified_at: string | null }
  received_amount: string | null
  last_webhook: null | { received_at: string; event_type: string | null; status: string; outcome: string | null; source: string; attempts: number; last_error: string | null }
  flags: Array<{ kind: string; source: "inbox" | "gateway"; created_at?: string; resolved_at?: string | null; details?: unknown }>
}

type SessionRow = { id: string; provider_id: string; status: string; data: Record<string, unknown> | null; amount: unknown; created_at: string }
type PaymentRow = { id: string; provider_id: string; captured_at: string | null; captures?: Array<{ id: string }> | null; canceled_at: string | null; payment_session_id?: string | null; data?: Record<string, unknown> | null }

export type LoadedOrder = { id: string; currency_code: string; sessions: SessionRow[]; payments: PaymentRow[] }

export async function loadOrderPayments(container: MedusaContainer, orderId: string): Promise<LoadedOrder | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: [
      "id",
      "currency_code",
      "payment_collections.payment_sessions.id",
      "payment_collections.payment_sessions.provider_id",
      "payment_collections.payment_sessions.status",
      "payment_collections.payment_sessions.data",
      "payment_collections.payment_sessions.amount",
      "payment_collections.payment_sessions.created_at",
      "payment_collections.payments.id",
      "payment_collections.payments.provider_id",
      ...paymentCaptureFields("payment_collections.payments"),
      "payment_collections.payments.canceled_at",
      "payment_collections.payments.payment_session_id",
      "payment_collections.payments.data",
    ],
    filters: { id: orderId },
  })
  const order = data[0] as any
  if (!order) return undefined
  const collections: any[] = order.payment_collections ?? []
  return {
    id: order.id,
    currency_code: order.currency_code,
    sessions: collections.flatMap((c) => c.payment_sessions ?? []).filter(Boolean),
    payments: collections.flatMap((c) => c.payments ?? []).filter(Boolean),
  }
}

/** The session that counts: the one a payment was made from, else the newest gateway session. */
export function gatewaySessionOf(
  order: LoadedOrder
): { session: SessionRow; gateway: GatewayId; registration: GatewayRegistration; payment?: PaymentRow } | undefined {
  const candidates = order.sessions.flatMap((session) => {
    const registration = registrationOfProviderId(session.provider_id)
    return registration ? [{ session, gateway: registration.gateway, registration }] : []
  })
  if (!candidates.length) return undefined
  const paid = candidates.find((c) => order.payments.some((p) => p.payment_session_id === c.session.id))
  const chosen = paid ?? [...candidates].sort((a, b) => String(b.session.created_at).localeCompare(String(a.session.created_at)))[0]
  return { ...chosen, payment: order.payments.find((p) => p.payment_session_id === chosen.session.id) }
}

export async function describeOrderGatewayPayment(container: MedusaContainer, orderId: string): Promise<OrderGatewayPayment | null | undefined> {
  const order = await loadOrderPayments(container, orderId)
  if (!order) return undefined
  const chosen = gatewaySessionOf(order)
  if (!chosen) return null
  const { session, gateway, registration, payment } = chosen
  const data = { ...(session.data ?? {}), ...(payment?.data ?? {}) }
  const adapter = gatewayAdapter(gateway)
  const summary = adapter.summarizeSessionData(data)
  const reference = summary.reference

  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const bySession = await inbox.listWebhookEvents({ session_id: session.id }, { take: 1, order: { received_at: "DESC" } })
  const byReference = reference ? await inbox.listWebhookEvents({ gateway, reference }, { take: 1, order: { received_at: "DESC" } }) : []
  const last = [...bySession, ...byReference].sort((a: any, b: any) => new Date(b.received_at).getTime() - new Date(a.received_at).getTime())[0] as any

  const flagRows = [
    ...(reference ? await inbox.listPaymentFlags({ gateway, reference }) : []),
    ...(await inbox.listPaymentFlags({ order_id: order.id })),
    ...(await inbox.listPaymentFlags({ session_id: session.id })),
  ] as any[]
  const seen = new Set<string>()
  const flags: OrderGatewayPayment["flags"] = []
  for (const f of flagRows) {
    if (seen.has(f.id)) continue
    seen.add(f.id)
    flags.push({ kind: f.kind, source: "inbox", created_at: new Date(f.created_at).toISOString(), resolved_at: f.resolved_at ? new Date(f.resolved_at).toISOString() : null, details: f.details })
  }
  // PayIn reports its own findings in the session data (partial_payment, overpaid, payment_after_cancel, …).
  for (const kind of Array.isArray(data.flags) ? (data.flags as unknown[]) : []) {
    if (typeof kind === "string" && !flags.some((f) => f.kind === kind)) flags.push({ kind, source: "gateway" })
  }

  const verification: OrderGatewayPayment["verification"] = {
    state: isPaymentFullyCaptured(payment)
      ? "captured"
      : payment && !payment.canceled_at
        ? "authorized"
        : session.status === "canceled"
          ? "canceled"
          : session.status === "error"
            ? "failed"
            : session.status === "authorized" || session.status === "captured"
              ? "authorized"
              : "awaiting_payment",
    session_status: session.status,
    verified_at: sessionText(data.verified_at),
  }

  return {
    order_id: order.id,
    gateway,
    provider_id: session.provider_id,
    registration_id: registration.registrationId,
    session_id: session.id,
    reference,
    gateway_label: adapter.label,
    reference_label: adapter.referenceLabel,
    payment_url: summary.paymentUrl,
    amount: sessionText(data.amount),
    currency_code: order.currency_code,
    gateway_status: summary.gatewayStatus,
    verification,
    received_amount: summary.receivedAmount,
    last_webhook: last
      ? {
          received_at: new Date(last.received_at).toISOString(),
          event_type: last.event_type ?? null,
          status: last.status,
          outcome: last.outcome ?? null,
          source: last.source,
          attempts: last.attempts,
          last_error: last.last_error ?? null,
        }
      : null,
    flags,
  }
}
