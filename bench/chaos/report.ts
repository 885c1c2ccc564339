import type { Delivery } from "../../sandbox/control-client"
import type { CheckoutRecord } from "./checkout"
import { isPaidAt, type PaidAtSandbox, type StoreBooks } from "./count"
import type { AppliedCounts } from "./gateway-bursts"

/** What the storm measured, and whether each invariant held. */

export type Invariant = { name: string; value: number; mustBe: string; ok: boolean }

export type ChaosReport = {
  options: { checkouts: number; concurrency: number; seed: number; requestTimeoutMs: number }
  checkouts: number
  failedAtCheckout: { storeDown: number; storeError: number; sandboxError: number; reasons: Record<string, number> }
  paymentsMade: number
  paidAtSandbox: number
  /** Every paid SecPaid transaction and completed PayIn order at the sandbox, whoever made it. */
  paidAtSandboxTotal: number
  orders: number
  /** Every order in the store's database. */
  ordersTotal: number
  duplicateOrders: number
  forgedOrReplayedAccepted: number
  paidWithoutOrderAfterReconciliation: number
  logLinesWithSecret: number
  logLinesScanned: number
  attacks: Record<string, { sent: number; storeAnswered: Record<string, number> }>
  replayedGenuine: { sent: number; storeAnswered: Record<string, number> }
  browserReturns: { sent: number; storeAnswered: Record<string, number> }
  faultsApplied: AppliedCounts
  bursts: { injected: number; byKind: Record<string, number> }
  webhookModesApplied: AppliedCounts
  webhooks: { attempts: number; delivered2xx: number; answered4xx: number; answered5xx: number; undelivered: number; droppedBySandbox: number; payinRetries: number }
  kill: { atStarted: number; inFlightByStage: Record<string, number>; inboxAtKill: Record<string, number>; downtimeMs: number; killedAt?: number; paidWhileStoreDown?: { payments: number; paidAtSandbox: number; withOneOrder: number } }
  reconcile: { gatewayCalls: number; report: unknown; paidWithoutOrderBefore: number }
  inboxAtEnd: Record<string, number>
  /** Orders linked to no cart: what a kill inside Medusa's cart completion can leave behind. */
  ordersWithoutCart: StoreBooks["ordersWithoutCart"]
  storeDeliveryVerdicts: Record<string, number>
  timings: { totalMs: number; stormMs: number; checkoutsPerSecond: number; settleBeforeMs: number; reconcileMs: number; settleAfterMs: number; medianStageMs: Record<string, number> }
  invariants: Invariant[]
  ok: boolean
  /** Checkouts that broke an invariant, with their inbox rows (at most 20). */
  offenders: unknown[]
  rows: Array<Record<string, unknown>>
}

const tally = (values: Array<string | number | undefined>) =>
  values.reduce<Record<string, number>>((acc, v) => ((acc[String(v ?? "no answer")] = (acc[String(v ?? "no answer")] ?? 0) + 1), acc), {})

export function buildReport(input: {
  options: ChaosReport["options"]
  records: CheckoutRecord[]
  paid: PaidAtSandbox
  books: StoreBooks
  deliveries: Delivery[]
  replayStatuses: Array<number | undefined>
  applied: { faults: AppliedCounts; webhookModes: AppliedCounts }
  bursts: Array<{ kind: string }>
  kill: ChaosReport["kill"]
  reconcile: { calls: string[]; report: unknown; paidWithoutOrderBefore: number }
  logLines: number
  secretLines: number
  diagnosis: unknown[]
  timings: Omit<ChaosReport["timings"], "checkoutsPerSecond" | "medianStageMs">
}): ChaosReport {
  const { records, paid, books } = input
  const orders = (r: CheckoutRecord) => (r.cartId ? books.ordersPerCart.get(r.cartId) ?? 0 : 0)
  const payments = (r: CheckoutRecord) => (r.cartId ? books.paymentsPerCart.get(r.cartId) ?? 0 : 0)
  const paidRecords = records.filter((r) => isPaidAt(paid, r))
  const unpaid = records.filter((r) => !isPaidAt(paid, r))
  const failed = records.filter((r) => r.failure && !r.paymentMade)
  // PayIn signs its webhooks: a bad signature must be refused at the door (401). SecPaid's are unsigned,
  // so the store stores them and asks SecPaid — there an order or payment for an unpaid link is the acceptance.
  const payinAttackAccepted = records
    .filter((r) => r.gateway === "payin" && r.attackStatuses)
    .reduce((n, r) => n + Object.values(r.attackStatuses!).flat().filter((s) => s !== undefined && s < 300).length, 0)
  const unpaidWithOrderOrPayment = unpaid.filter((r) => orders(r) > 0 || payments(r) > 0).length

  const counts = {
    paidAtSandbox: paidRecords.length,
    paidAtSandboxTotal: paid.secpaid.size + paid.payin.size,
    orders: records.filter((r) => orders(r) > 0).length,
    ordersTotal: books.ordersTotal,
    duplicateOrders: records.reduce((s, r) => s + Math.max(0, orders(r) - 1), 0),
    forgedOrReplayedAccepted: payinAttackAccepted + unpaidWithOrderOrPayment,
    paidWithoutOrderAfterReconciliation: paidRecords.filter((r) => orders(r) === 0).length,
    logLinesWithSecret: input.secretLines,
  }
  const invariants: Invariant[] = [
    { name: "orders = payments paid at the sandbox", value: counts.orders - counts.paidAtSandbox, mustBe: "0 difference", ok: counts.orders === counts.paidAtSandbox },
    { name: "all orders in the store = all payments paid at the sandbox", value: counts.ordersTotal - counts.paidAtSandboxTotal, mustBe: "0 difference", ok: counts.ordersTotal === counts.paidAtSandboxTotal },
    { name: "duplicate orders", value: counts.duplicateOrders, mustBe: "0", ok: counts.duplicateOrders === 0 },
    { name: "forged or replayed events accepted", value: counts.forgedOrReplayedAccepted, mustBe: "0", ok: counts.forgedOrReplayedAccepted === 0 },
    { name: "paid payments without an order after reconciliation", value: counts.paidWithoutOrderAfterReconciliation, mustBe: "0", ok: counts.paidWithoutOrderAfterReconciliation === 0 },
    { name: "log lines containing a configured secret", value: counts.logLinesWithSecret, mustBe: "0", ok: counts.logLinesWithSecret === 0 },
  ]

  const attacks: ChaosReport["attacks"] = {}
  for (const r of records) {
    for (const [attack, statuses] of Object.entries(r.attackStatuses ?? {})) {
      const entry = (attacks[`${r.gateway} ${attack}`] ??= { sent: 0, storeAnswered: {} })
      entry.sent++
      for (const s of statuses ?? []) entry.storeAnswered[String(s ?? "no answer")] = (entry.storeAnswered[String(s ?? "no answer")] ?? 0) + 1
    }
  }
  const median = (xs: number[]) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] : 0)
  const stageMedians = Object.fromEntries((["cart", "session", "pay"] as const).map((st) => [st, median(records.flatMap((r) => (r.stageMs[st] !== undefined ? [r.stageMs[st]!] : [])))]))
  const returns = records.filter((r) => r.browserReturnStatus !== undefined)
  const d = input.deliveries
  return {
    options: input.options,
    checkouts: records.length,
    failedAtCheckout: {
      storeDown: failed.filter((r) => r.failure!.kind === "store-down").length,
      storeError: failed.filter((r) => r.failure!.kind === "store-error").length,
      sandboxError: failed.filter((r) => r.failure!.kind === "sandbox-error").length,
      reasons: tally(failed.map((r) => `${r.gateway} at ${r.failure!.stage}: ${r.failure!.kind} ${r.failure!.message.slice(0, 120)}`)),
    },
    paymentsMade: records.filter((r) => r.paymentMade).length,
    ...counts,
    logLinesScanned: input.logLines,
    attacks,
    replayedGenuine: { sent: input.replayStatuses.length, storeAnswered: tally(input.replayStatuses) },
    browserReturns: { sent: returns.length, storeAnswered: tally(returns.map((r) => r.browserReturnStatus || "no answer")) },
    faultsApplied: input.applied.faults,
    bursts: { injected: input.bursts.length, byKind: tally(input.bursts.map((b) => (b.kind === "hang" ? "timeout" : b.kind))) },
    webhookModesApplied: input.applied.webhookModes,
    webhooks: {
      attempts: d.length,
      delivered2xx: d.filter((x) => x.status !== undefined && x.status < 300).length,
      answered4xx: d.filter((x) => x.status !== undefined && x.status >= 400 && x.status < 500).length,
      answered5xx: d.filter((x) => x.status !== undefined && x.status >= 500).length,
      undelivered: d.filter((x) => x.status === undefined && !x.error?.startsWith("dropped")).length,
      droppedBySandbox: d.filter((x) => x.error?.startsWith("dropped")).length,
      payinRetries: d.filter((x) => x.attempt > 1).length,
    },
    kill: {
      ...input.kill,
      paidWhileStoreDown: {
        payments: records.filter((r) => r.payWhileStoreDown && r.paymentMade).length,
        paidAtSandbox: records.filter((r) => r.payWhileStoreDown && isPaidAt(paid, r)).length,
        withOneOrder: records.filter((r) => r.payWhileStoreDown && orders(r) === 1).length,
      },
    },
    reconcile: { gatewayCalls: input.reconcile.calls.length, report: input.reconcile.report, paidWithoutOrderBefore: input.reconcile.paidWithoutOrderBefore },
    inboxAtEnd: books.inboxByStatus,
    ordersWithoutCart: books.ordersWithoutCart,
    storeDeliveryVerdicts: books.deliveryVerdicts,
    timings: { ...input.timings, medianStageMs: stageMedians, checkoutsPerSecond: Number((records.length / (input.timings.stormMs / 1000)).toFixed(2)) },
    invariants,
    ok: invariants.every((i) => i.ok),
    offenders: input.diagnosis,
    rows: records.map((r) => ({
      i: r.index,
      gateway: r.gateway,
      ref: r.ref,
      cart: r.cartId,
      plan: r.attacks ? `attack ${r.attacks.join("+")}` : `webhook ${r.webhook}${r.payWhileStoreDown ? " +paid while store down" : ""}${r.replayGenuine ? " +replay" : ""}${r.browserReturn ? " +return" : ""}`,
      paymentMade: r.paymentMade,
      paidAtSandbox: isPaidAt(paid, r),
      orders: orders(r),
      failure: r.failure ? `${r.failure.stage}: ${r.failure.kind} ${r.failure.message.slice(0, 120)}` : undefined,
      ms: r.endedAt && r.startedAt ? r.endedAt - r.startedAt : undefined,
      stageMs: r.stageMs,
    })),
  }
}

/** The counts table `npm run chaos` prints. */
export function formatReport(r: ChaosReport): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`
  const lines = [
    `| Count | Result | Must be |`,
    `|---|---:|---|`,
    `| checkouts (${r.options.concurrency} at a time) / failed before payment: store down / store answered an error | ${r.checkouts} / ${r.failedAtCheckout.storeDown} / ${r.failedAtCheckout.storeError}${r.failedAtCheckout.sandboxError ? ` (+${r.failedAtCheckout.sandboxError} sandbox)` : ""} | — |`,
    `| payments made at the sandbox / paid there (all payments at the sandbox) | ${r.paymentsMade} / ${r.paidAtSandbox} (${r.paidAtSandboxTotal}) | — |`,
    `| carts with an order (all orders in the store) | ${r.orders} (${r.ordersTotal}) | = paid |`,
    `| duplicate orders | ${r.duplicateOrders} | 0 |`,
    `| forged or replayed events accepted | ${r.forgedOrReplayedAccepted} | 0 |`,
    `| paid payments without an order after reconciliation (before it) | ${r.paidWithoutOrderAfterReconciliation} (${r.reconcile.paidWithoutOrderBefore}) | 0 |`,
    `| log lines containing a configured secret (of ${r.logLinesScanned} scanned) | ${r.logLinesWithSecret} | 0 |`,
  ]
  const kv = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ") || "none"
  return [
    ...lines,
    "",
    `attacks: ${kv(r.attacks)}`,
    `genuine deliveries replayed: ${r.replayedGenuine.sent} (${kv(r.replayedGenuine.storeAnswered)}); browser returns: ${r.browserReturns.sent} (${kv(r.browserReturns.storeAnswered)})`,
    `webhook modes applied: ${kv(r.webhookModesApplied)}`,
    `gateway bursts: ${r.bursts.injected} (${kv(r.bursts.byKind)}); faulted calls: ${kv(r.faultsApplied)}`,
    `webhook attempts: ${kv(r.webhooks)}`,
    `kill -9: after ${r.kill.atStarted} checkouts started, in flight ${kv(r.kill.inFlightByStage)}, inbox ${kv(r.kill.inboxAtKill)}, down ${s(r.kill.downtimeMs)}; paid while the store was down: ${kv(r.kill.paidWhileStoreDown ?? {})}`,
    `reconciliation: ${r.reconcile.gatewayCalls} SecPaid calls, ${JSON.stringify(r.reconcile.report)}`,
    `inbox at the end: ${kv(r.inboxAtEnd)}; the store's delivery log: ${kv(r.storeDeliveryVerdicts)}`,
    `orders linked to no cart: ${r.ordersWithoutCart.length ? r.ordersWithoutCart.map((o) => `${o.id} (${o.email}, ${o.createdAt})`).join(", ") : "none"}; the kill at ${new Date(r.kill.killedAt ?? 0).toISOString()}`,
    `timings: storm ${s(r.timings.stormMs)} (${r.timings.checkoutsPerSecond} checkouts/s), settle ${s(r.timings.settleBeforeMs)}, reconcile ${s(r.timings.reconcileMs)}, settle ${s(r.timings.settleAfterMs)}, total ${s(r.timings.totalMs)}; median per checkout: ${kv(r.timings.medianStageMs)} ms`,
    ...r.invariants.filter((i) => !i.ok).map((i) => `FAILED: ${i.name} = ${i.value} (must be ${i.mustBe})`),
  ].join("\n")
}
