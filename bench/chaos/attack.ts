import axios from "axios"
import { SandboxControl, type LoggedRequest } from "../../sandbox/control-client"
import { startSandbox } from "../../sandbox/server"
import { startPaymentSession } from "../../integration-tests/helpers/checkout"
import { startMedusa, type MedusaProcess } from "../../integration-tests/multi-instance/medusa-process"
import { prepareStormStore } from "./store"
import { createCart, runCheckout, type CheckoutDeps, type CheckoutRecord } from "./checkout"
import { linesWithSecret, orderCreatedAtPerCart, paidAtSandbox, pluginTableBytes, readStoreBooks } from "./count"
import { seededRandom, type CheckoutPlan, type Gateway } from "./plan"
import { buildAttackReport, type AttackReport, type GatewayCall, type PhaseRun } from "./attack-report"
import { CONFIGURED_SECRETS } from "./storm"
import {
  attackSchedule,
  forgedPayInWebhook,
  forgedSecPaidWebhook,
  paddingPool,
  secPaidReturnClaim,
  startAttack,
  type AttackKind,
} from "./attack-traffic"

/**
 * The attack storm: do real shoppers still get their orders, quickly, while anonymous
 * traffic floods the store's public payment routes? Shared by `npm run chaos`
 * (bench/chaos.ts) and the small version in `npm test` (integration-tests/http/chaos-attack.spec.ts).
 *
 * One real `medusa start` process (shared worker mode, in-memory event bus) on a database
 * of its own, with a sandbox of its own at SecPaid's real rate limit (60 calls a minute).
 * Two phases with the same number of real checkouts, half per gateway, `concurrency` at a
 * time, paid at the sandbox with normal webhooks:
 *  - "baseline": no attack;
 *  - "attack": from the phase's first checkout, forged SecPaid webhooks for links never
 *    issued (~50 KB, form / JSON / random bytes), browser returns of a real unpaid SecPaid
 *    session claiming success, and wrongly signed / unsigned PayIn webhooks naming real
 *    pending orders or random ones, spread over several loopback source addresses
 *    (127.0.0.2, 127.0.0.3, …), `sockets` in flight, as fast as the store answers, stopped
 *    when the phase's checkouts are done at the latest.
 * Each phase ends by waiting for every paid cart's order and then `flushWaitMs` (the plugin
 * may write its delivery log in batches) before the plugin's tables are measured.
 *
 * Measured from the outside only: latency from the sandbox's pay call returning (the
 * genuine webhook was answered) to the order's `created_at` in the store's database; the
 * SecPaid calls the sandbox received, attributed by their bodies; the plugin's tables'
 * size in PostgreSQL; orders against what the sandbox says was paid.
 *
 * Needs PostgreSQL in DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD (the role may create databases).
 */

export type AttackStormOptions = {
  /** Real checkouts per phase (half per gateway). */
  checkouts: number
  /** Shoppers checking out at the same time. Default 4. */
  concurrency?: number
  /** Forged SecPaid webhooks. Default 10,000. */
  secpaidWebhooks?: number
  /** Browser returns of the real unpaid SecPaid session. Default 2,000. */
  returns?: number
  /** Forged / unsigned PayIn webhooks. Default 2,000. */
  payinWebhooks?: number
  /** Source addresses 127.0.0.2 … (at most 250). Default 8. */
  sources?: number
  /** Attack requests in flight at once. Default 16. */
  sockets?: number
  /** Size of a forged SecPaid webhook body. Default 50,000 bytes. */
  secpaidBodyBytes?: number
  /** The sandbox's SecPaid limit per API key. Default 60 a minute, as SecPaid's. */
  secpaidRateLimitPerMinute?: number
  /** Wait after each phase before measuring the plugin's tables. Default 65 s. */
  flushWaitMs?: number
  /** The attack never runs longer than this. Default 10 minutes. */
  maxAttackMs?: number
  /**
   * Let the attack send every planned request even when the phase's checkouts finish
   * first (within `maxAttackMs`). Default false: the attack stops with the checkouts, so
   * that every forged request lands while shoppers pay. The small storm in `npm test`
   * sets it: it asserts that all of them were sent, also on a busy machine.
   */
  attackUntilSent?: boolean
  /** How long to wait for a paid cart's order after a phase. Default 180 s. */
  settleTimeoutMs?: number
  seed?: number
  log?: (line: string) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export async function runAttackStorm(options: AttackStormOptions): Promise<AttackReport> {
  const log = options.log ?? (() => undefined)
  const o = {
    checkouts: Math.max(2, options.checkouts),
    concurrency: Math.max(1, options.concurrency ?? 4),
    secpaidWebhooks: options.secpaidWebhooks ?? 10_000,
    returns: options.returns ?? 2_000,
    payinWebhooks: options.payinWebhooks ?? 2_000,
    sources: Math.min(250, Math.max(1, options.sources ?? 8)),
    sockets: Math.max(1, options.sockets ?? 16),
    secpaidBodyBytes: options.secpaidBodyBytes ?? 50_000,
    secpaidRateLimitPerMinute: options.secpaidRateLimitPerMinute ?? 60,
    flushWaitMs: options.flushWaitMs ?? 65_000,
    maxAttackMs: options.maxAttackMs ?? 600_000,
    settleTimeoutMs: options.settleTimeoutMs ?? 180_000,
    seed: options.seed ?? 1,
  }
  const random = seededRandom(o.seed)
  const cleanups: Array<() => Promise<void>> = []
  const began = Date.now()

  try {
    const sandbox = await startSandbox({ port: 0, retryDelaysMs: [200, 400, 800, 1600], warn: () => undefined, secpaid: { rateLimitPerMinute: o.secpaidRateLimitPerMinute } })
    cleanups.push(() => sandbox.close())
    const control = new SandboxControl(sandbox.url)
    // The control API keeps the last 5,000 requests; a plugin that called SecPaid for every forged
    // webhook would push the evidence out of it. The sandbox runs in this process: keep every SecPaid call.
    const secpaidCalls: GatewayCall[] = []
    const requestLog = sandbox.context.log
    const addToLog = requestLog.add.bind(requestLog)
    requestLog.add = (entry: LoggedRequest) => {
      // Hosted pages ("GET /secpaid/payment") are the shopper's browser, not the plugin.
      if (entry.gateway === "secpaid" && !entry.endpoint.includes(" ")) {
        secpaidCalls.push({ at: Date.now(), endpoint: entry.endpoint, status: entry.status, body: entry.body, rawBody: entry.rawBody })
      }
      addToLog(entry)
    }

    const { databaseUrl, fixture, port, backendUrl, env } = await prepareStormStore({
      sandbox,
      databasePrefix: "medusa_attack",
      cleanups,
      log,
      extraEnv: {
        // Reconciliation is the fault storm's subject; here its batch calls would be SecPaid calls no checkout can claim.
        PAYMENT_GATEWAYS_RECONCILE_AFTER_MS: String(3_600_000),
      },
    })
    let medusa: MedusaProcess | undefined
    cleanups.push(async () => {
      await medusa?.stop()
    })
    medusa = await startMedusa(port, env, "attack store")
    await control.payinSetWebhookEndpoints([{ url: `${backendUrl}/hooks/payin` }])
    const api = axios.create({ baseURL: backendUrl, timeout: 120_000 })
    log(`store up on ${backendUrl}; sandbox SecPaid limit ${o.secpaidRateLimitPerMinute} calls a minute`)

    // The attacker's real targets: a SecPaid session and a PayIn order that are never paid.
    const targets: CheckoutRecord[] = []
    for (const gateway of ["secpaid", "payin"] as Gateway[]) {
      const plan: CheckoutPlan = { index: -1 - targets.length, gateway }
      const cart = await createCart(api, fixture, plan)
      const { session } = await startPaymentSession(api, fixture, cart.id, gateway === "secpaid" ? "pp_secpaid_secpaid" : "pp_payin_payin")
      const ref = String(gateway === "secpaid" ? session.data.pay_id : session.data.payin_order_id)
      targets.push({ ...plan, stage: "done", cartId: cart.id, ref, sessionId: session.id, paymentMade: false, startedAt: 0, stageMs: {} })
    }
    const [secpaidTarget, payinTarget] = targets
    log(`unpaid targets: SecPaid link ${secpaidTarget.ref} (session ${secpaidTarget.sessionId}), PayIn order ${payinTarget.ref}`)

    const deps: CheckoutDeps = {
      api,
      fixture,
      control,
      sandbox,
      backendUrl,
      // Every webhook is "normal": nothing to keep apart, payments may overlap.
      payLock: (_gateway, fn) => fn(),
      replayLater: () => undefined,
      onPaid: () => undefined,
      storeKilled: new Promise<void>(() => undefined),
      volunteerToPayWhileStoreDown: () => false,
    }
    const plansFrom = (first: number): CheckoutPlan[] =>
      Array.from({ length: o.checkouts }, (_, i) => ({ index: first + i, gateway: i % 2 ? "payin" : "secpaid", webhook: "normal" }))

    const pads = paddingPool(random, o.secpaidBodyBytes)
    let live: CheckoutRecord[] = []
    const pendingPayInOrder = () => {
      // A real order nobody has paid yet: the target, or a shopper's between session and payment.
      if (random() < 0.5) return sandbox.context.payin.orders.find((x) => x.id === payinTarget.ref!.toLowerCase())
      if (random() < 0.5) return undefined
      const candidates = live.filter((r) => r.gateway === "payin" && r.ref && !r.paymentMade)
      const pick = candidates[Math.floor(random() * candidates.length)]
      return pick ? sandbox.context.payin.orders.find((x) => x.id === pick.ref!.toLowerCase()) : undefined
    }
    const build = (kind: AttackKind) =>
      kind === "secpaid-webhook"
        ? forgedSecPaidWebhook(random, pads)
        : kind === "secpaid-return"
          ? secPaidReturnClaim(secpaidTarget.sessionId!, secpaidTarget.ref!)
          : forgedPayInWebhook(random, pads, pendingPayInOrder())
    const sources = Array.from({ length: o.sources }, (_, i) => `127.0.0.${2 + i}`)

    const runPhase = async (name: "baseline" | "attack", first: number): Promise<PhaseRun> => {
      const records: CheckoutRecord[] = plansFrom(first).map((p) => ({ ...p, stage: "waiting", paymentMade: false, startedAt: 0, stageMs: {} }))
      live = records
      const dbBytesBefore = await pluginTableBytes(databaseUrl)
      const startedAt = Date.now()
      log(`phase ${name}: ${records.length} checkouts, ${o.concurrency} at a time${name === "attack" ? `, attack from ${sources.length} sources with ${o.sockets} sockets` : ""}`)
      const attack =
        name === "attack"
          ? startAttack({
              port,
              sources,
              sockets: o.sockets,
              schedule: attackSchedule({ "secpaid-webhook": o.secpaidWebhooks, "secpaid-return": o.returns, "payin-webhook": o.payinWebhooks }, random),
              build,
              maxMs: o.maxAttackMs,
            })
          : undefined
      let next = 0
      const worker = async () => {
        while (next < records.length) {
          const record = records[next++]
          record.startedAt = Date.now()
          await runCheckout(record, deps, record)
          if (record.failure) log(`${name} checkout ${record.index} (${record.gateway}) failed at ${record.failure.stage}: ${record.failure.kind} ${record.failure.message}`)
        }
      }
      await Promise.all(Array.from({ length: o.concurrency }, worker))
      const checkoutsEndedAt = Date.now()
      const tally = attack ? await (options.attackUntilSent ? attack.done : attack.stop()) : undefined
      if (tally) {
        const sent = Object.values(tally.sent).reduce((s, n) => s + n, 0)
        log(`attack: ${sent} requests in ${(((tally.endedAt ?? Date.now()) - tally.startedAt) / 1000).toFixed(1)} s${tally.stoppedEarly ? " (stopped at the phase's end)" : ""}; answers ${JSON.stringify(tally.answered)}`)
      }

      // Every paid cart's order, then time for the plugin to write what it keeps in memory.
      const paidCarts = records.filter((r) => r.paymentMade && r.cartId).map((r) => r.cartId!)
      const settleStart = Date.now()
      let orderCreatedAt = await orderCreatedAtPerCart(databaseUrl, paidCarts)
      while (orderCreatedAt.size < paidCarts.length && Date.now() - settleStart < o.settleTimeoutMs) {
        await sleep(500)
        orderCreatedAt = await orderCreatedAtPerCart(databaseUrl, paidCarts)
      }
      log(`phase ${name}: ${orderCreatedAt.size}/${paidCarts.length} paid carts have an order; waiting ${(o.flushWaitMs / 1000).toFixed(0)} s before measuring the plugin's tables`)
      await sleep(o.flushWaitMs)
      const dbBytesAfter = await pluginTableBytes(databaseUrl)
      return { name, records, startedAt, checkoutsEndedAt, endedAt: Date.now(), attack: tally, orderCreatedAt, dbBytesBefore, dbBytesAfter }
    }

    const baseline = await runPhase("baseline", 0)
    const attack = await runPhase("attack", o.checkouts)
    live = []

    const allRecords = [...targets, ...baseline.records, ...attack.records]
    const books = await readStoreBooks(databaseUrl, allRecords.flatMap((r) => (r.cartId ? [r.cartId] : [])))
    const paid = paidAtSandbox(sandbox)
    await medusa.stop()
    const output = medusa.output()
    medusa = undefined

    return buildAttackReport({
      options: o,
      phases: [baseline, attack],
      targets,
      secpaidCalls,
      books,
      paid,
      logLines: output.split("\n").length,
      secretLines: linesWithSecret(output, CONFIGURED_SECRETS),
      totalMs: Date.now() - began,
    })
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e) => log(`cleanup: ${(e as Error).message}`))
  }
}

export type { AttackReport } from "./attack-report"
