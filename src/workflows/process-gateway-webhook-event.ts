import type { MedusaContainer, WebhookActionResult } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules, PaymentActions } from "@medusajs/framework/utils"
import { completePaidCart, findCartAndOrderForSession } from "../lib/complete-paid-cart"
import { currentGatewayCall, runGatewayCall } from "../lib/gateway-call-context"
import { removeOrdersLeftByInterruptedCompletion } from "../lib/interrupted-cart-completion"
import { orderHoldsCapturedMoney, paymentCaptureFields } from "../lib/payment-capture"
import { requireGatewayProvider } from "../modules/payment-gateways/gateway-providers"
import { registrationOfStoredRow } from "../modules/payment-gateways/gateway-registry"
import type { GatewayId } from "../modules/payment-gateways/models/webhook-event"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"
import type { WebhookEventRow } from "../modules/payment-gateways/service"
import { payInReceiptOfEndedOrder } from "../providers/payin/receipt-of-ended-order"
import {
  decideWebhookEvent,
  type GatewayReceipt,
  type GatewayVerdict,
  type OrderState,
  type SessionState,
  type WebhookEventCollaborators,
} from "./decide-webhook-event"
import { runInboxEventOnce, type ProcessWebhookEventResult } from "./run-inbox-event"
import { settleExpiredOrderAwaitingPayment } from "./settle-expired-order-awaiting-payment"

/**
 * Processing of one stored webhook event: the step after the inbox, as Medusa runs it.
 *
 *   claim (one instance only) → the gateway's provider verifies the event → the
 *   decision (decide-webhook-event.ts): paid → processPaymentWorkflow (cart → order);
 *   cancelled/failed → session canceled/error, unpaid order settled → record outcome.
 *
 * This file only builds the decision's collaborators from the Medusa container and
 * runs it inside the inbox's claim/complete/fail (run-inbox-event.ts). Failures are
 * recorded with backoff; after `maxAttempts` the event is a dead letter.
 */

export type { ProcessWebhookEventResult }

export async function processGatewayWebhookEvent(container: MedusaContainer, webhookEventId: string): Promise<ProcessWebhookEventResult> {
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const collaborators = medusaCollaborators(container)
  // The gateway is asked afresh (no cached verdict); the caller's priority is kept
  // (reconciliation runs as background work).
  for (;;) {
    const result = await runGatewayCall({ ...currentGatewayCall(), freshVerification: true, confirmed: new Map() }, () =>
      runInboxEventOnce({ inbox, logger, decide: async (row) => decideWebhookEvent(await withRegistration(container, row), collaborators) }, webhookEventId)
    )
    // Another delivery of the event arrived while this one was checked and came to nothing: check again now.
    if (!result.requeued) return result.result
  }
}

/**
 * The row with the registration it belongs to: its own provider id, or for an event
 * stored before registrations were recorded, the gateway's only registration (an error,
 * never a guess, when the gateway now has several).
 */
async function withRegistration(container: MedusaContainer, row: WebhookEventRow): Promise<WebhookEventRow & { provider_id: string }> {
  const registration = await registrationOfStoredRow(container, row.gateway, row.provider_id, `The ${row.gateway} event ${row.event_id}`)
  return { ...row, provider_id: registration.providerId }
}

/** The decision's collaborators, backed by Medusa's payment module, query, core workflows and the plugin's inbox. */
function medusaCollaborators(container: MedusaContainer): WebhookEventCollaborators<WebhookEventRow & { provider_id: string }> {
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const paymentModule = container.resolve(Modules.PAYMENT)
  return {
    verify: async (row) => verdictOf(await VERIFY_STORED_EVENT[row.gateway](container, row)),
    findSession: async (sessionId) => {
      const session = await paymentModule.retrievePaymentSession(sessionId).catch((error: unknown) => {
        if ((error as { type?: string })?.type === MedusaError.Types.NOT_FOUND) return undefined
        throw error
      })
      if (!session) return undefined
      return {
        id: session.id,
        status: session.status,
        amount: session.amount as SessionState["amount"],
        currencyCode: session.currency_code,
        data: session.data,
      }
    },
    findCartAndOrder: async (sessionId) => {
      const { cartId, orderId } = await findCartAndOrderForSession(container, sessionId)
      return { cartId, orderId, order: orderId ? await orderState(container, orderId) : undefined }
    },
    priorOutcomes: async (sessionId) =>
      (await inbox.listProcessedOutcomesForSession(sessionId)).flatMap((o) => (o.outcome ? [o.outcome] : [])),
    completeCart: ({ sessionId, amount, action }) =>
      completePaidCart(container, { sessionId, amount, action: action === "authorized" ? PaymentActions.AUTHORIZED : PaymentActions.SUCCESSFUL }),
    setSessionStatus: async (sessionId, status) => {
      // Only the status changes: updatePaymentSession would call the provider's updatePayment.
      await (paymentModule as unknown as { updatePaymentSessions(data: { id: string; status: string }): Promise<unknown> }).updatePaymentSessions({
        id: sessionId,
        status,
      })
    },
    receivedAtGateway: (event, session) => RECEIPT_OF_ENDED_PAYMENT[event.gateway](container, event as StoredEvent, session),
    settleExpiredOrder: (input) => settleExpiredOrderAwaitingPayment(container, input),
    flag: (input) => inbox.flagPayment(input),
    removeOrdersLeftByInterruptedCompletion: (input) => removeOrdersLeftByInterruptedCompletion(container, input),
  }
}

function verdictOf(action: WebhookActionResult): GatewayVerdict {
  const sessionId = typeof action.data?.session_id === "string" ? action.data.session_id : undefined
  return { action: action.action, sessionId, amount: action.data?.amount }
}

type StoredEvent = WebhookEventRow & { provider_id: string }

/**
 * What a stored event asks for, decided by the provider of the event's registration
 * (its own API key and settings, the admin-saved ones loaded first).
 */
const VERIFY_STORED_EVENT: Record<GatewayId, (container: MedusaContainer, row: StoredEvent) => Promise<WebhookActionResult>> = {
  // The signature was checked by the webhook route before the event was stored (a
  // timestamped signature is only valid for 5 minutes, a retry may come hours later),
  // so the provider takes it as verified at ingest and asks PayIn for the order.
  payin: async (container, row) => {
    const provider = requireGatewayProvider(container, { gateway: "payin", providerId: row.provider_id })
    return await provider.actionForStoredEvent({ rawBody: Buffer.from(row.raw_body, "base64"), headers: { ...(row.headers ?? {}) } })
  },
  // A SecPaid body is never signed: through the payment module, as Medusa's own route
  // does; the provider loads the admin settings itself and verifies with SecPaid.
  secpaid: async (container, row) => {
    requireGatewayProvider(container, { gateway: "secpaid", providerId: row.provider_id })
    const rawBody = Buffer.from(row.raw_body, "base64")
    return await container.resolve(Modules.PAYMENT).getWebhookActionAndData({
      provider: row.provider_id,
      payload: { data: bodyAsData(rawBody), rawData: rawBody, headers: { ...(row.headers ?? {}) } },
    })
  },
}

/**
 * How much the gateway received for a payment it reports as FAILED, asked from the
 * gateway itself (the event's registration); `received` undefined when it cannot say.
 */
const RECEIPT_OF_ENDED_PAYMENT: Record<GatewayId, (container: MedusaContainer, row: StoredEvent, session: SessionState) => Promise<GatewayReceipt>> = {
  payin: (container, row, session) =>
    payInReceiptOfEndedOrder(session.data, async () => requireGatewayProvider(container, { gateway: "payin", providerId: row.provider_id }).gatewayClient()),
  // SecPaid never reports a payment as failed (only paid or cancelled), and has no partial amounts.
  secpaid: async () => ({ received: undefined }),
}

async function orderState(container: MedusaContainer, orderId: string): Promise<OrderState | undefined> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({
    entity: "order",
    fields: ["id", "status", "payment_collections.payments.id", ...paymentCaptureFields("payment_collections.payments")],
    filters: { id: orderId },
  })
  const order = data[0]
  if (!order) return undefined
  return { id: order.id, status: order.status, captured: orderHoldsCapturedMoney(order as never) }
}

/** What Medusa's own route would pass as `data` (the parsed body); providers prefer `rawData`. */
function bodyAsData(rawBody: Buffer): Record<string, unknown> {
  const text = rawBody.toString("utf8").trim()
  try {
    if (text.startsWith("{")) return JSON.parse(text)
  } catch {
    return {}
  }
  return Object.fromEntries(new URLSearchParams(text))
}

export type { GatewayId }
