import type { MedusaContainer, WebhookActionResult } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, MedusaError, Modules, PaymentActions } from "@medusajs/framework/utils"
import { completePaidCart, findCartAndOrderForSession } from "../lib/complete-paid-cart"
import { currentGatewayCall, runGatewayCall } from "../lib/gateway-call-context"
import { orderHoldsCapturedMoney, paymentCaptureFields } from "../lib/payment-capture"
import { GATEWAY_PROVIDER_IDS, resolveRefreshedGatewayProvider } from "../modules/payment-gateways/gateway-providers"
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
      runInboxEventOnce({ inbox, logger, decide: (row) => decideWebhookEvent(row, collaborators) }, webhookEventId)
    )
    // Another delivery of the event arrived while this one was checked and came to nothing: check again now.
    if (!result.requeued) return result.result
  }
}

/** The decision's collaborators, backed by Medusa's payment module, query, core workflows and the plugin's inbox. */
function medusaCollaborators(container: MedusaContainer): WebhookEventCollaborators<WebhookEventRow> {
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
    receivedAtGateway: (event, session) => RECEIPT_OF_ENDED_PAYMENT[event.gateway](container, session),
    settleExpiredOrder: (input) => settleExpiredOrderAwaitingPayment(container, input),
    flag: (input) => inbox.flagPayment(input),
  }
}

function verdictOf(action: WebhookActionResult): GatewayVerdict {
  const sessionId = typeof action.data?.session_id === "string" ? action.data.session_id : undefined
  return { action: action.action, sessionId, amount: action.data?.amount }
}

/**
 * What a stored event asks for, decided by the gateway's provider with the settings
 * saved in the admin loaded first.
 */
const VERIFY_STORED_EVENT: Record<GatewayId, (container: MedusaContainer, row: WebhookEventRow) => Promise<WebhookActionResult>> = {
  // The signature was checked by the webhook route before the event was stored (a
  // timestamped signature is only valid for 5 minutes, a retry may come hours later),
  // so the provider takes it as verified at ingest and asks PayIn for the order.
  payin: async (container, row) => {
    const provider = await resolveRefreshedGatewayProvider(container, "payin")
    if (!provider) throw new Error("The PayIn provider pp_payin_payin is not registered in the payment module; add it to medusa-config.ts")
    return await provider.actionForStoredEvent({ rawBody: Buffer.from(row.raw_body, "base64"), headers: { ...(row.headers ?? {}) } })
  },
  // A SecPaid body is never signed: through the payment module, as Medusa's own route
  // does; the provider loads the admin settings itself and verifies with SecPaid.
  secpaid: async (container, row) => {
    const rawBody = Buffer.from(row.raw_body, "base64")
    return await container.resolve(Modules.PAYMENT).getWebhookActionAndData({
      provider: GATEWAY_PROVIDER_IDS.secpaid,
      payload: { data: bodyAsData(rawBody), rawData: rawBody, headers: { ...(row.headers ?? {}) } },
    })
  },
}

/**
 * How much the gateway received for a payment it reports as FAILED, asked from the
 * gateway itself; `received` undefined when it cannot say.
 */
const RECEIPT_OF_ENDED_PAYMENT: Record<GatewayId, (container: MedusaContainer, session: SessionState) => Promise<GatewayReceipt>> = {
  payin: (container, session) =>
    payInReceiptOfEndedOrder(session.data, async () => (await resolveRefreshedGatewayProvider(container, "payin"))?.gatewayClient()),
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
