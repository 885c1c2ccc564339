import { createCipheriv } from "node:crypto"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { runGatewayCall } from "../lib/gateway-call-context"
import { GATEWAY_PROVIDER_IDS, resolveGatewayProvider } from "../modules/payment-gateways/gateway-providers"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../modules/payment-gateways/service"
import type { PayInOrder } from "../providers/payin/responses"
import type { SecPaidApiError } from "../providers/secpaid/client"
import { isPaymentRow } from "../providers/secpaid/payment-status"
import { processGatewayWebhookEvent } from "./process-gateway-webhook-event"

/**
 * Reconciliation: payments still pending in Medusa after `pendingAfterMs` are
 * re-checked at the gateway in BATCHES, so that a lost webhook never means a lost
 * order:
 *  - SecPaid: getPayInTransactions with `since` (days) and `limit` 1000 — one call
 *    verifies up to 1000 payments (SecPaid allows 60 requests a minute).
 *  - PayIn: GET /orders of the orders that ended (completed, expired, failed) since the
 *    oldest pending session, 100 per page: N pending orders cost about ⌈N/100⌉ calls.
 * Every paid-but-unprocessed payment becomes a synthetic inbox event (source
 * "reconciliation") and goes through the SAME processing as a webhook: provider
 * verification → processPaymentWorkflow → order. SecPaid links abandoned longer
 * than `abandonedLinkTtlMs` are deleted at SecPaid and their sessions cancelled.
 */

export type ReconcileGatewayPaymentsOptions = {
  /** Only sessions older than this are checked (a shopper may still be paying). Default 10 minutes. */
  pendingAfterMs?: number
  /** Unpaid SecPaid links older than this are deleted. Default 24 hours. */
  abandonedLinkTtlMs?: number
  /** At most this many deleteLink calls per run, to stay inside SecPaid's 60 requests/minute. Default 20. */
  maxLinkDeletionsPerRun?: number
  /** Upper bound of list pages per gateway and run. Default 20 (20,000 SecPaid rows, 2,000 PayIn orders). */
  maxPages?: number
  now?: Date
}

/** `unfinished` says why a gateway's part stopped early (the next run tries again); the other gateway's part still ran. */
export type ReconcileGatewayPaymentsReport = {
  secpaid: { pending: number; listCalls: number; paidFound: number; ordersQueued: number; linksDeleted: number; unfinished?: string }
  payin: { pending: number; listCalls: number; paidFound: number; closedFound: number; eventsQueued: number; unfinished?: string }
}

export const SECPAID_TRANSACTIONS_PAGE_SIZE = 1000
export const PAYIN_ORDERS_PAGE_SIZE = 100
const DAY_MS = 86_400_000

/** Session statuses that still wait for the gateway. */
const WAITING_STATUSES = [PaymentSessionStatus.PENDING, PaymentSessionStatus.REQUIRES_MORE, "pending_authorization"]

type PendingSession = { id: string; provider_id: string; status: string; data: Record<string, unknown>; created_at: Date }

export function reconcileOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): ReconcileGatewayPaymentsOptions {
  const int = (v: string | undefined) => {
    const n = Number.parseInt(v ?? "", 10)
    return Number.isSafeInteger(n) && n >= 0 ? n : undefined
  }
  return {
    pendingAfterMs: int(env.PAYMENT_GATEWAYS_RECONCILE_AFTER_MS),
    abandonedLinkTtlMs: int(env.PAYMENT_GATEWAYS_ABANDONED_LINK_TTL_MS),
  }
}

export async function reconcileGatewayPayments(
  container: MedusaContainer,
  options: ReconcileGatewayPaymentsOptions = {}
): Promise<ReconcileGatewayPaymentsReport> {
  const now = options.now ?? new Date()
  const pendingAfterMs = options.pendingAfterMs ?? 10 * 60_000
  const sessions = await listWaitingSessions(container, new Date(now.getTime() - pendingAfterMs))
  const report: ReconcileGatewayPaymentsReport = {
    secpaid: { pending: 0, listCalls: 0, paidFound: 0, ordersQueued: 0, linksDeleted: 0 },
    payin: { pending: 0, listCalls: 0, paidFound: 0, closedFound: 0, eventsQueued: 0 },
  }
  const secpaid = sessions.filter((s) => s.provider_id === GATEWAY_PROVIDER_IDS.secpaid)
  const payin = sessions.filter((s) => s.provider_id === GATEWAY_PROVIDER_IDS.payin)
  // Background: spends SecPaid's shared budget last, never in front of a shopper.
  if (secpaid.length) {
    await reconcilePart(report.secpaid, () =>
      runGatewayCall({ priority: "background" }, () => reconcileSecPaid(container, secpaid, now, options, report.secpaid))
    )
  }
  if (payin.length) await reconcilePart(report.payin, () => reconcilePayIn(container, payin, options, report.payin))
  return report
}

/**
 * One gateway's part of a run. A failure (SecPaid's request budget spent, a gateway
 * down) ends that part only: the other gateway's lost webhooks are still looked for.
 */
async function reconcilePart(part: { unfinished?: string }, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    part.unfinished = (error as Error).message
  }
}

async function listWaitingSessions(container: MedusaContainer, createdBefore: Date): Promise<PendingSession[]> {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const out: PendingSession[] = []
  const pageSize = 1000
  for (let skip = 0; ; skip += pageSize) {
    const page = await paymentModule.listPaymentSessions(
      {
        provider_id: Object.values(GATEWAY_PROVIDER_IDS),
        status: WAITING_STATUSES as never,
        created_at: { $lte: createdBefore },
      } as never,
      { select: ["id", "provider_id", "status", "data", "created_at"], take: pageSize, skip, order: { created_at: "ASC", id: "ASC" } }
    )
    out.push(...(page as unknown as PendingSession[]))
    if (page.length < pageSize) return out
  }
}

async function reconcileSecPaid(
  container: MedusaContainer,
  sessions: PendingSession[],
  now: Date,
  options: ReconcileGatewayPaymentsOptions,
  report: ReconcileGatewayPaymentsReport["secpaid"]
) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const provider = resolveGatewayProvider(container, "secpaid")
  if (!provider) {
    logger.warn("Reconciliation skipped SecPaid: the provider pp_secpaid_secpaid is not registered in the payment module.")
    return
  }
  // The client and encryption key in effect now (settings saved in the admin over medusa-config), for this run.
  const { client, options: secPaidOptions } = await provider.gatewayRuntime()
  const byPayId = new Map<string, PendingSession>()
  for (const s of sessions) {
    const payId = typeof s.data?.pay_id === "string" || typeof s.data?.pay_id === "number" ? String(s.data.pay_id) : undefined
    if (payId) byPayId.set(payId, s)
  }
  report.pending = byPayId.size
  if (!byPayId.size) return

  const oldest = Math.min(...[...byPayId.values()].map((s) => new Date(s.created_at).getTime()))
  // `since` counts whole days back from SecPaid's "now"; one extra day covers clock and timezone drift.
  const sinceDays = Math.max(1, Math.ceil((now.getTime() - oldest) / DAY_MS) + 1)
  const paid = new Set<string>()
  const maxPages = options.maxPages ?? 20
  for (let page = 1; page <= maxPages; page++) {
    const rows = await client.getPayInTransactions({ since: sinceDays, limit: SECPAID_TRANSACTIONS_PAGE_SIZE, page })
    report.listCalls++
    for (const row of rows) {
      if (byPayId.has(row.payId) && isPaymentRow(row) && row.status.trim().toLowerCase() === "success") paid.add(row.payId)
    }
    if (rows.length < SECPAID_TRANSACTIONS_PAGE_SIZE || paid.size === byPayId.size) break
  }
  report.paidFound = paid.size

  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const encryptionKey = secPaidOptions.encryptionKey
  for (const payId of paid) {
    const claim = JSON.stringify({ data: { pay_id: payId, status: "success" } })
    const body = encryptionKey ? JSON.stringify({ data: encryptSecPaidPayload(claim, encryptionKey) }) : claim
    const stored = await inbox.storeWebhookEvent({
      gateway: "secpaid",
      eventId: `reconciliation:${payId}:success`,
      source: "reconciliation",
      eventType: "success",
      reference: payId,
      rawBody: Buffer.from(body, "utf8"),
      headers: { "content-type": "application/json" },
    })
    if (stored.duplicate) continue
    report.ordersQueued++
    await processGatewayWebhookEvent(container, stored.id)
  }

  // Abandoned links: unpaid, older than the TTL. Deleted so they cannot be paid any more.
  const ttl = options.abandonedLinkTtlMs ?? DAY_MS
  const maxDeletions = options.maxLinkDeletionsPerRun ?? 20
  const paymentModule = container.resolve(Modules.PAYMENT) as unknown as {
    updatePaymentSessions(data: { id: string; status: string }): Promise<unknown>
  }
  for (const [payId, session] of byPayId) {
    if (report.linksDeleted >= maxDeletions) break
    if (paid.has(payId) || now.getTime() - new Date(session.created_at).getTime() < ttl) continue
    try {
      await client.deleteLink(payId)
    } catch (error) {
      const e = error as SecPaidApiError
      if (typeof e?.saysMatches === "function" && e.saysMatches(/already used/i)) continue // paid meanwhile: next run finds it
      if (!(typeof e?.saysMatches === "function" && e.saysMatches(/not found/i))) {
        logger.warn(`Reconciliation could not delete the abandoned SecPaid link ${payId} (${(error as Error).message}); it is tried again next run.`)
        continue
      }
    }
    await paymentModule.updatePaymentSessions({ id: session.id, status: PaymentSessionStatus.CANCELED })
    report.linksDeleted++
  }
}

/** Margin before the oldest pending session when asking PayIn for orders "created after": clock drift between shop and PayIn. */
const PAYIN_CREATED_AFTER_MARGIN_MS = 60 * 60_000
/** The PayIn states that end an order; a pending order needs no action. */
const PAYIN_TERMINAL_STATUSES = ["completed", "expired", "failed"]

/**
 * PayIn: one listing of the orders that ENDED (completed, expired, failed), created
 * since the oldest pending session (minus a margin for clock drift), oldest first,
 * 100 per page, stopping once every pending order is found. N pending orders cost at
 * most ⌈N/100⌉ calls when they are all that ended in that window; orders still
 * pending at PayIn are not listed at all. A page shifted by an order ending meanwhile
 * can only delay a find to the next run.
 */
async function reconcilePayIn(
  container: MedusaContainer,
  sessions: PendingSession[],
  options: ReconcileGatewayPaymentsOptions,
  report: ReconcileGatewayPaymentsReport["payin"]
) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const provider = resolveGatewayProvider(container, "payin")
  if (!provider) {
    logger.warn("Reconciliation skipped PayIn: the provider pp_payin_payin is not registered in the payment module.")
    return
  }
  const client = await provider.gatewayClient()
  const byOrderId = new Map<string, PendingSession>()
  for (const s of sessions) if (typeof s.data?.payin_order_id === "string") byOrderId.set(s.data.payin_order_id.toLowerCase(), s)
  report.pending = byOrderId.size
  if (!byOrderId.size) return

  const oldest = Math.min(...[...byOrderId.values()].map((s) => new Date(s.created_at).getTime()))
  const createdAfter = new Date(oldest - PAYIN_CREATED_AFTER_MARGIN_MS).toISOString()
  const found = new Map<string, PayInOrder>()
  const maxPages = options.maxPages ?? 20
  for (let page = 1; page <= maxPages; page++) {
    const res = await client.listOrders({ status: PAYIN_TERMINAL_STATUSES, page, limit: PAYIN_ORDERS_PAGE_SIZE, createdAfter, sortOrder: "asc" })
    report.listCalls++
    for (const o of res.orders) if (byOrderId.has(o.id.toLowerCase())) found.set(o.id, o)
    if (found.size === byOrderId.size) break
    if (res.orders.length < PAYIN_ORDERS_PAGE_SIZE || (res.totalPages !== undefined && page >= res.totalPages)) break
  }

  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  for (const [orderId, order] of found) {
    const type = order.status === "completed" ? "order.completed" : order.status === "expired" ? "order.expired" : order.status === "failed" ? "order.failed" : undefined
    if (!type) continue
    if (type === "order.completed") report.paidFound++
    else report.closedFound++
    const eventId = `reconciliation:${orderId}:${type}`
    const stored = await inbox.storeWebhookEvent({
      gateway: "payin",
      eventId,
      source: "reconciliation",
      eventType: type,
      reference: orderId,
      rawBody: Buffer.from(JSON.stringify({ id: eventId, type, data: { orderId } }), "utf8"),
      headers: { "content-type": "application/json" },
    })
    if (stored.duplicate) continue
    report.eventsQueued++
    await processGatewayWebhookEvent(container, stored.id)
  }
}

/** SecPaid's webhook encryption (AES-256-CBC, key = the 32-char key, IV = its first 16 chars), for synthetic events. */
function encryptSecPaidPayload(plaintext: string, encryptionKey: string): string {
  const cipher = createCipheriv("aes-256-cbc", Buffer.from(encryptionKey, "utf8"), Buffer.from(encryptionKey.slice(0, 16), "utf8"))
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64")
}

const reconcileStep = createStep("reconcile-gateway-payments", async (input: ReconcileGatewayPaymentsOptions, { container }) => {
  return new StepResponse(await reconcileGatewayPayments(container, input))
})

/** The same reconciliation as a workflow, for shops that want to trigger it themselves. */
export const reconcileGatewayPaymentsWorkflow = createWorkflow(
  "reconcile-gateway-payments",
  (input: ReconcileGatewayPaymentsOptions) => new WorkflowResponse(reconcileStep(input))
)
