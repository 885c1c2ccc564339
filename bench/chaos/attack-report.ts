import type { CheckoutRecord } from "./checkout"
import { isPaidAt, type PaidAtSandbox, type StoreBooks } from "./count"
import type { Invariant } from "./report"
import type { AttackTally } from "./attack-traffic"

/** What the attack storm measured, its invariants (must hold) and its targets (printed, met or missed). */

/** One SecPaid API call as the sandbox received it. */
export type GatewayCall = { at: number; endpoint: string; status: number; body: unknown; rawBody: string }

export type PhaseRun = {
  name: "baseline" | "attack"
  records: CheckoutRecord[]
  startedAt: number
  checkoutsEndedAt: number
  /** After the orders appeared and the flush wait: the end of the phase's window for SecPaid calls. */
  endedAt: number
  attack?: AttackTally
  /** Order `created_at` per paid cart (epoch ms). */
  orderCreatedAt: Map<string, number>
  dbBytesBefore: { total: number; byTable: Record<string, number> }
  dbBytesAfter: { total: number; byTable: Record<string, number> }
}

export type Stats = { n: number; p50: number; p95: number; max: number }

export type PhaseReport = {
  name: "baseline" | "attack"
  checkouts: number
  paymentsMade: number
  failedBeforePaying: Record<string, number>
  checkoutsMs: number
  /** Sandbox pay call returned (the genuine webhook was answered) → the order's created_at. */
  webhookToOrderMs: { secpaid: Stats; payin: Stats; all: Stats }
  paidWithoutOrder: number
  /** Payments made while attack requests were being sent. */
  paidWhileAttacking: number
  /** The "session" stage of SecPaid checkouts: payment collection + payment session (the plugin's createLink). */
  secpaidSessionMs: Stats
  /** SecPaid API calls the sandbox received in the phase's window, attributed by their bodies. */
  secpaidCalls: { total: number; forShoppers: number; forAttackedSession: number; unattributed: number; answered429: number; byEndpoint: Record<string, number> }
  pluginTableBytes: { before: number; after: number; growth: number; growthByTable: Record<string, number> }
}

export type AttackTarget = { name: string; value: string; target: string; met: boolean }

export type AttackReport = {
  options: Record<string, number>
  phases: PhaseReport[]
  attack: {
    planned: Record<string, number>
    sent: Record<string, number>
    answered: Record<string, Record<string, number>>
    byVariant: Record<string, Record<string, number>>
    sources: Record<string, number>
    durationMs: number
    requestsPerSecond: number
    megabytesSent: number
    stoppedEarly: boolean
  }
  forgedRequests: number
  secpaidCallsCausedByForged: { calls: number; per100Forged: number; forAttackedSession: number; unattributed: number; baselineUnattributed: number }
  dbGrowth: { bytes: number; mbPer10kForged: number; baselineBytes: number; flushWaitMs: number }
  paidAtSandbox: number
  ordersTotal: number
  logLinesScanned: number
  logLinesWithSecret: number
  invariants: Invariant[]
  targets: AttackTarget[]
  ok: boolean
  offenders: Array<Record<string, unknown>>
  totalMs: number
}

export function stats(values: number[]): Stats {
  if (!values.length) return { n: 0, p50: 0, p95: 0, max: 0 }
  const sorted = [...values].sort((a, b) => a - b)
  const rank = (p: number) => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
  return { n: sorted.length, p50: rank(0.5), p95: rank(0.95), max: sorted[sorted.length - 1] }
}

const tally = (values: string[]) => values.reduce<Record<string, number>>((acc, v) => ((acc[v] = (acc[v] ?? 0) + 1), acc), {})

function flatValues(value: unknown, out: string[] = []): string[] {
  if (value === null || value === undefined) return out
  if (typeof value === "object") for (const v of Object.values(value as Record<string, unknown>)) flatValues(v, out)
  else out.push(String(value))
  return out
}

/**
 * Whose SecPaid call is it? A call naming a checkout's pay_id (as a whole field value), its
 * payment session or its cart (createLink's recipient_note and callback_url, link-list
 * searches) belongs to that checkout; the attacked unpaid session's calls belong to the attack.
 */
export function attributeCall(call: GatewayCall, shoppers: CheckoutRecord[], attacked: CheckoutRecord): "shopper" | "attacked" | "unattributed" {
  const values = flatValues(call.body)
  const names = (r: CheckoutRecord) =>
    (!!r.ref && values.includes(r.ref)) || [r.sessionId, r.cartId].some((id) => !!id && (call.rawBody.includes(id) || values.some((v) => v.includes(id))))
  if (names(attacked)) return "attacked"
  return shoppers.some(names) ? "shopper" : "unattributed"
}

export function buildAttackReport(input: {
  options: Record<string, number>
  phases: PhaseRun[]
  targets: CheckoutRecord[]
  secpaidCalls: GatewayCall[]
  books: StoreBooks
  paid: PaidAtSandbox
  logLines: number
  secretLines: number
  totalMs: number
}): AttackReport {
  const { books, paid } = input
  const attacked = input.targets.find((t) => t.gateway === "secpaid")!
  const shoppers = input.phases.flatMap((p) => p.records)
  const orders = (r: CheckoutRecord) => (r.cartId ? books.ordersPerCart.get(r.cartId) ?? 0 : 0)
  const payments = (r: CheckoutRecord) => (r.cartId ? books.paymentsPerCart.get(r.cartId) ?? 0 : 0)

  const phases: PhaseReport[] = input.phases.map((p) => {
    const latency = (g?: string) =>
      stats(p.records.filter((r) => (!g || r.gateway === g) && r.paidAt && p.orderCreatedAt.has(r.cartId!)).map((r) => p.orderCreatedAt.get(r.cartId!)! - r.paidAt!))
    const calls = input.secpaidCalls.filter((c) => c.at >= p.startedAt && c.at <= p.endedAt)
    const owners = calls.map((c) => attributeCall(c, shoppers, attacked))
    const failed = p.records.filter((r) => r.failure && !r.paymentMade)
    return {
      name: p.name,
      checkouts: p.records.length,
      paymentsMade: p.records.filter((r) => r.paymentMade).length,
      failedBeforePaying: tally(failed.map((r) => `${r.gateway} at ${r.failure!.stage}: ${r.failure!.kind} ${r.failure!.message.slice(0, 100)}`)),
      checkoutsMs: p.checkoutsEndedAt - p.startedAt,
      webhookToOrderMs: { secpaid: latency("secpaid"), payin: latency("payin"), all: latency() },
      paidWithoutOrder: p.records.filter((r) => r.paymentMade && !p.orderCreatedAt.has(r.cartId!)).length,
      paidWhileAttacking: p.attack ? p.records.filter((r) => r.paidAt && r.paidAt <= (p.attack!.endedAt ?? 0)).length : 0,
      secpaidSessionMs: stats(p.records.filter((r) => r.gateway === "secpaid" && r.stageMs.session !== undefined).map((r) => r.stageMs.session!)),
      secpaidCalls: {
        total: calls.length,
        forShoppers: owners.filter((w) => w === "shopper").length,
        forAttackedSession: owners.filter((w) => w === "attacked").length,
        unattributed: owners.filter((w) => w === "unattributed").length,
        answered429: calls.filter((c) => c.status === 429).length,
        byEndpoint: tally(calls.map((c) => `${c.endpoint} ${c.status}`)),
      },
      pluginTableBytes: {
        before: p.dbBytesBefore.total,
        after: p.dbBytesAfter.total,
        growth: p.dbBytesAfter.total - p.dbBytesBefore.total,
        growthByTable: Object.fromEntries(Object.entries(p.dbBytesAfter.byTable).map(([name, n]) => [name, n - (p.dbBytesBefore.byTable[name] ?? 0)])),
      },
    }
  })
  const [base, atk] = phases
  const t = input.phases[1].attack!
  const forgedRequests = Object.values(t.sent).reduce((s, n) => s + n, 0)
  const durationMs = (t.endedAt ?? t.startedAt) - t.startedAt
  const causedCalls = atk.secpaidCalls.forAttackedSession + atk.secpaidCalls.unattributed
  const per100 = forgedRequests ? (causedCalls * 100) / forgedRequests : 0
  const growth = atk.pluginTableBytes.growth
  const mbPer10k = forgedRequests ? (growth / 1e6) * (10_000 / forgedRequests) : 0

  // Invariants, over both phases and the attacker's two unpaid targets.
  const all = [...input.targets, ...shoppers]
  const paidRecords = all.filter((r) => isPaidAt(paid, r))
  const unpaidWithOrderOrPayment = all.filter((r) => !isPaidAt(paid, r) && (orders(r) > 0 || payments(r) > 0)).length
  const payinForged2xx = Object.entries(t.answered["payin-webhook"] ?? {}).filter(([s]) => /^2\d\d$/.test(s)).reduce((n, [, c]) => n + c, 0)
  const paidTotal = paid.secpaid.size + paid.payin.size
  const withOrder = all.filter((r) => orders(r) > 0).length
  const duplicates = all.reduce((s, r) => s + Math.max(0, orders(r) - 1), 0)
  const invariants: Invariant[] = [
    { name: "carts with an order = payments paid at the sandbox (both phases)", value: withOrder - paidRecords.length, mustBe: "0 difference", ok: withOrder === paidRecords.length && paidRecords.every((r) => orders(r) > 0) },
    { name: "all orders in the store = all payments paid at the sandbox", value: books.ordersTotal - paidTotal, mustBe: "0 difference", ok: books.ordersTotal === paidTotal },
    { name: "duplicate orders", value: duplicates, mustBe: "0", ok: duplicates === 0 },
    { name: "forged accepted (order or payment for an unpaid cart, PayIn forgery answered 2xx)", value: unpaidWithOrderOrPayment + payinForged2xx, mustBe: "0", ok: unpaidWithOrderOrPayment + payinForged2xx === 0 },
    { name: "log lines containing a configured secret", value: input.secretLines, mustBe: "0", ok: input.secretLines === 0 },
  ]

  const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`
  const sessionMax = Math.max(base.secpaidSessionMs.max, atk.secpaidSessionMs.max)
  const targets: AttackTarget[] = [
    {
      name: "webhook → order p95 under attack ≤ 2× baseline p95",
      value: `${sec(atk.webhookToOrderMs.all.p95)} vs ${sec(base.webhookToOrderMs.all.p95)} (${base.webhookToOrderMs.all.p95 > 0 ? (atk.webhookToOrderMs.all.p95 / base.webhookToOrderMs.all.p95).toFixed(2) : "∞"}×)`,
      target: "≤ 2×",
      met: atk.webhookToOrderMs.all.n > 0 && atk.webhookToOrderMs.all.p95 <= 2 * base.webhookToOrderMs.all.p95,
    },
    { name: "SecPaid payment session created in (max, both phases)", value: sec(sessionMax), target: "≤ 5 s", met: base.secpaidSessionMs.n + atk.secpaidSessionMs.n > 0 && sessionMax <= 5000 },
    { name: "SecPaid calls caused by forged traffic per 100 forged requests", value: `${per100.toFixed(3)} (${causedCalls} calls / ${forgedRequests})`, target: "≤ 1", met: per100 <= 1 },
    { name: "plugin tables' growth per 10,000 forged requests", value: `${mbPer10k.toFixed(2)} MB (${growth} bytes / ${forgedRequests})`, target: "≤ 5 MB", met: mbPer10k <= 5 },
  ]

  const offenders = all
    .filter((r) => isPaidAt(paid, r) !== orders(r) > 0 || orders(r) > 1 || (!isPaidAt(paid, r) && payments(r) > 0))
    .slice(0, 20)
    .map((r) => ({ i: r.index, gateway: r.gateway, ref: r.ref, cart: r.cartId, paymentMade: r.paymentMade, paidAtSandbox: isPaidAt(paid, r), orders: orders(r), payments: payments(r), failure: r.failure }))

  return {
    options: input.options,
    phases,
    attack: {
      planned: t.planned,
      sent: t.sent,
      answered: t.answered,
      byVariant: t.byVariant,
      sources: Object.fromEntries(Object.entries(t.bySource).map(([s, v]) => [s, v.sent])),
      durationMs,
      requestsPerSecond: durationMs ? Number((forgedRequests / (durationMs / 1000)).toFixed(1)) : 0,
      megabytesSent: Number((t.bytesSent / 1e6).toFixed(1)),
      stoppedEarly: t.stoppedEarly,
    },
    forgedRequests,
    secpaidCallsCausedByForged: {
      calls: causedCalls,
      per100Forged: Number(per100.toFixed(3)),
      forAttackedSession: atk.secpaidCalls.forAttackedSession,
      unattributed: atk.secpaidCalls.unattributed,
      baselineUnattributed: base.secpaidCalls.unattributed,
    },
    dbGrowth: { bytes: growth, mbPer10kForged: Number(mbPer10k.toFixed(3)), baselineBytes: base.pluginTableBytes.growth, flushWaitMs: input.options.flushWaitMs },
    paidAtSandbox: paidTotal,
    ordersTotal: books.ordersTotal,
    logLinesScanned: input.logLines,
    logLinesWithSecret: input.secretLines,
    invariants,
    targets,
    ok: invariants.every((i) => i.ok),
    offenders,
    totalMs: input.totalMs,
  }
}

/** The table `npm run chaos` prints after the attack storm. */
export function formatAttackReport(r: AttackReport): string {
  const [b, a] = r.phases
  const ms = (s: Stats) => (s.n ? `${s.p50} / ${s.p95} / ${s.max} ms (n ${s.n})` : "—")
  const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`
  const calls = (p: PhaseReport) => `${p.secpaidCalls.total}: ${p.secpaidCalls.forShoppers} / ${p.secpaidCalls.forAttackedSession} / ${p.secpaidCalls.unattributed} (${p.secpaidCalls.answered429} answered 429)`
  const kv = (o: Record<string, unknown>) => Object.entries(o).map(([k, v]) => `${k}: ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ") || "none"
  const row = (name: string, f: (p: PhaseReport) => string) => `| ${name} | ${f(b)} | ${f(a)} |`
  return [
    `| Figure | baseline | under attack |`,
    `|---|---:|---:|`,
    row(`real checkouts (${r.options.concurrency} at a time) / paid / failed before paying`, (p) => `${p.checkouts} / ${p.paymentsMade} / ${Object.values(p.failedBeforePaying).reduce((s, n) => s + n, 0)}`),
    row("checkouts took / payments made while the attack was sending", (p) => `${(p.checkoutsMs / 1000).toFixed(1)} s / ${p.name === "attack" ? p.paidWhileAttacking : "—"}`),
    row("webhook → order p50 / p95 / max, SecPaid", (p) => ms(p.webhookToOrderMs.secpaid)),
    row("webhook → order p50 / p95 / max, PayIn", (p) => ms(p.webhookToOrderMs.payin)),
    row("webhook → order p50 / p95 / max, both", (p) => ms(p.webhookToOrderMs.all)),
    row("SecPaid payment session created in p50 / p95 / max", (p) => ms(p.secpaidSessionMs)),
    row("SecPaid API calls: for shoppers / for the attacked session / unattributed", calls),
    row(`plugin tables' growth (measured ${(r.dbGrowth.flushWaitMs / 1000).toFixed(0)} s after the phase)`, (p) => `${kb(p.pluginTableBytes.growth)} (${kb(p.pluginTableBytes.before)} → ${kb(p.pluginTableBytes.after)})`),
    "",
    `attack: ${r.forgedRequests} requests (${r.attack.megabytesSent} MB) in ${(r.attack.durationMs / 1000).toFixed(1)} s = ${r.attack.requestsPerSecond}/s${r.attack.stoppedEarly ? ", stopped at the phase's end" : ""}, from ${Object.keys(r.attack.sources).length} sources (${kv(r.attack.sources)})`,
    ...Object.keys(r.attack.planned).map((k) => `  ${k}: ${r.attack.sent[k] ?? 0} of ${r.attack.planned[k]} sent, answers ${kv(r.attack.answered[k] ?? {})}`),
    `  by variant: ${kv(r.attack.byVariant)}`,
    `SecPaid calls caused by forged traffic: ${r.secpaidCallsCausedByForged.calls} (${r.secpaidCallsCausedByForged.forAttackedSession} for the attacked session + ${r.secpaidCallsCausedByForged.unattributed} unattributed; baseline unattributed ${r.secpaidCallsCausedByForged.baselineUnattributed}) = ${r.secpaidCallsCausedByForged.per100Forged} per 100 forged requests`,
    `plugin tables' growth under attack by table: ${kv(a.pluginTableBytes.growthByTable)}`,
    `SecPaid calls by endpoint and status: baseline ${kv(b.secpaidCalls.byEndpoint)}; under attack ${kv(a.secpaidCalls.byEndpoint)}`,
    `orders in the store ${r.ordersTotal}, payments paid at the sandbox ${r.paidAtSandbox}; log lines with a configured secret ${r.logLinesWithSecret} of ${r.logLinesScanned}; total ${(r.totalMs / 1000).toFixed(0)} s`,
    "",
    `| Target | Result | Target | |`,
    `|---|---:|---|---|`,
    ...r.targets.map((t) => `| ${t.name} | ${t.value} | ${t.target} | ${t.met ? "met" : "MISSED"} |`),
    ...r.invariants.filter((i) => !i.ok).map((i) => `FAILED: ${i.name} = ${i.value} (must be ${i.mustBe})`),
  ].join("\n")
}
