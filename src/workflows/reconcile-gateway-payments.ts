import { createCipheriv } from "node:crypto"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, PaymentSessionStatus } from "@medusajs/framework/utils"
import { createStep, createWorkflow, StepResponse, WorkflowResponse } from "@medusajs/framework/workflows-sdk"
import { runGatewayCall } from "../lib/gateway-call-context"
import { resolveGatewayProvider } from "../modules/payment-gateways/gateway-providers"
import { listGatewayRegistrations } from "../modules/payment-gateways/gateway-registry"
import type { GatewayId } from "../modules/payment-gateways/models/webhook-event"
import type { GatewayRegistration } from "../modules/payment-gateways/registrations"
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
 *
 * Every registration of a gateway (`pp_secpaid_eu`, `pp_secpaid_marketplace`) is its
 * own part: its sessions, checked with its own client (its own API key and request
 * budget), failing on its own.
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
  /** Only these registrations (payment provider ids); all of the plugin's by default. */
  providerIds?: string[]
  now?: Date
}

/** One registration's part of a run; `unfinished` says why it stopped early (the next run tries again). */
export type SecPaidReconcilePart = { pending: number; listCalls: number; paidFound: number; ordersQueued: number; linksDeleted: number; unfinished?: string }
export type PayInReconcilePart = { pending: number; listCalls: number; paidFound: number; closedFound: number; eventsQueued: number; unfinished?: string }

/**
 * Per gateway, the totals of its registrations (`unfinished` when any of them stopped
 * early), and each registration's own part under `registrations`, by provider id.
 * A part that stopped early never stops the others.
 */
export type ReconcileGatewayPaymentsReport = {
  secpaid: SecPaidReconcilePart & { registrations: Record<string, SecPaidReconcilePart> }
  payin: PayInReconcilePart & { registrations: Record<string, PayInReconcilePart> }
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
  const report: ReconcileGatewayPaymentsReport = {
    secpaid: { ...secPaidPart(), registrations: {} },
    payin: { ...payInPart(), registrations: {} },
  }
  // Registrations removed from medusa-config stay in the payment module, disabled: no provider answers for them.
  const registrations = (await listGatewayRegistrations(container)).filter(
    (r) => r.enabled && (!options.providerIds || options.providerIds.includes(r.providerId))
  )
  if (!registrations.length) return report
  const sessions = await listWaitingSessions(
    container,
    registrations.map((r) => r.providerId),
    new Date(now.getTime() - pendingAfterMs)
  )
  for (const registration of registrations) {
    const own = sessions.filter((s) => s.provider_id === registration.providerId)
    if (own.length) await RECONCILE_REGISTRATION[registration.gateway]({ container, registration, sessions: own, now, options, report })
  }
  addUp(report.secpaid)
  addUp(report.payin)
  return report
}

type RegistrationRun = {
  container: MedusaContainer
  registration: GatewayRegistration
  sessions: PendingSession[]
  now: Date
  options: ReconcileGatewayPaymentsOptions
  report: ReconcileGatewayPaymentsReport
}

/** Each gateway's way of reconciling one registration's waiting sessions into its part of the report. */
const RECONCILE_REGISTRATION: Record<GatewayId, (run: RegistrationRun) => Promise<void>> = {
  secpaid: async ({ container, registration, sessions, now, options, report }) => {
    const part = (report.secpaid.registrations[registration.providerId] = secPaidPart())
    // Background: spends SecPaid's budget last, never in front of a shopper.
    await reconcilePart(part, () => runGatewayCall({ priority: "background" }, () => reconcileSecPaid(container, registration, sessions, now, options, part)))
  },
  payin: async ({ container, registration, sessions, options, report }) => {
    const part = (report.payin.registrations[registration.providerId] = payInPart())
    await reconcilePart(part, () => reconcilePayIn(container, registration, sessions, options, part))
  },
}

function secPaidPart(): SecPaidReconcilePart {
  return { pending: 0, listCalls: 0, paidFound: 0, ordersQueued: 0, linksDeleted: 0 }
}

function payInPart(): PayInReconcilePart {
  return { pending: 0, listCalls: 0, paidFound: 0, closedFound: 0, eventsQueued: 0 }
}

/** A gateway's totals from its registrations' parts; `unfinished` names the registrations that stopped early when there are several. */
function addUp<P extends { unfinished?: string }>(total: P & { registrations: Record<string, P> }): void {
  const parts = Object.entries(total.registrations)
  const unfinished: string[] = []
  for (const [providerId, part] of parts) {
    for (const [key, value] of Object.entries(part)) {
      const totals = total as unknown as Record<string, number>
      if (typeof value === "number") totals[key] = (totals[key] ?? 0) + value
    }
    if (part.unfinished) unfinished.push(parts.length === 1 ? part.unfinished : `${providerId}: ${part.unfinished}`)
  }
  if (unfinished.length) total.unfinished = unfinished.join("; ")
}

/**
 * One registration's part of a run. A failure (its request budget spent, its gateway
 * account refusing the key, a gateway down) ends that part only: the other
 * registrations' lost webhooks are still looked for.
 */
async function reconcilePart(part: { unfinished?: string }, run: () => Promise<void>): Promise<void> {
  try {
    await run()
  } catch (error) {
    part.unfinished = (error as Error).message
  }
}

async function listWaitingSessions(container: MedusaContainer, providerIds: string[], createdBefore: Date): Promise<PendingSession[]> {
  const paymentModule = container.resolve(Modules.PAYMENT)
  const out: PendingSession[] = []
  const pageSize = 1000
  for (let skip = 0; ; skip += pageSize) {
    const page = await paymentModule.listPaymentSessions(
      {
        provider_id: providerIds,
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
  registration: GatewayRegistration,
  sessions: PendingSession[],
  now: Date,
  options: ReconcileGatewayPaymentsOptions,
  report: SecPaidReconcilePart
) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const provider = resolveGatewayProvider(container, "secpaid", registration.providerId)
  if (!provider) {
    logger.warn(`Reconciliation skipped SecPaid: the provider ${registration.providerId} is not registered in the payment module.`)
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
      providerId: registration.providerId,
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
  registration: GatewayRegistration,
  sessions: PendingSession[],
  options: ReconcileGatewayPaymentsOptions,
  report: PayInReconcilePart
) {
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const provider = resolveGatewayProvider(container, "payin", registration.providerId)
  if (!provider) {
    logger.warn(`Reconciliation skipped PayIn: the provider ${registration.providerId} is not registered in the payment module.`)
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
      providerId: registration.providerId,
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
