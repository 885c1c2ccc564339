import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { SandboxControl, type Delivery } from "../../sandbox/control-client"
import * as credentials from "../../sandbox/credentials"
import { startSandbox } from "../../sandbox/server"
import { medusaCli, startMedusa, type MedusaProcess } from "../../integration-tests/multi-instance/medusa-process"
import { prepareStormStore } from "./store"
import { runCheckout, type CheckoutRecord, type Stage } from "./checkout"
import { inboxRowsFor, isPaidAt, linesWithSecret, paidAtSandbox, readStoreBooks } from "./count"
import { instrumentSandbox, startGatewayBursts } from "./gateway-bursts"
import { planCheckouts, seededRandom, type Gateway } from "./plan"
import { buildReport, type ChaosReport } from "./report"
import type { ReconcileGatewayPaymentsReport } from "../../src/workflows/reconcile-gateway-payments"

/**
 * The fault storm as a function, shared by `npm run chaos` (bench/chaos.ts)
 * and the small version in `npm test` (integration-tests/http/chaos-storm.spec.ts).
 *
 * A real `medusa start` process with its own database, and a sandbox of its own (its
 * faults never reach other suites). `concurrency` shoppers check out at once through
 * the Store API; webhooks are duplicated, reordered, delayed, dropped; unpaid
 * payments get forged / replayed / unsigned / wrong-secret webhooks; genuine
 * deliveries are replayed byte for byte; gateway 429 / 500 / timeout / slow BURSTS
 * hit whatever is in flight (link creation and the inbox's verification calls); and
 * halfway the Medusa process group gets `kill -9` while checkouts and webhook
 * processing are in flight, then is restarted on the same port. Afterwards the
 * inbox is left to drain, one reconciliation pass runs (`medusa exec
 * bench/reconcile-exec.ts`, as the scheduled job would) and the books are compared.
 *
 * Needs PostgreSQL in DB_HOST / DB_PORT / DB_USERNAME / DB_PASSWORD (the role may create databases).
 */

export type ChaosStormOptions = {
  checkouts: number
  /** Shoppers checking out at the same time. Default 5. */
  concurrency?: number
  /** Seed of the plan and of the bursts. Default 1. */
  seed?: number
  /** When the kill happens, as the share of checkouts started. Default 0.5. */
  killAt?: number
  /** Average pause between gateway fault bursts. Default 6000 ms. */
  burstEveryMs?: number
  /** The plugin's gateway request timeout during the storm (a "timeout" fault outlasts it). Default 3000 ms. */
  requestTimeoutMs?: number
  /** How long to wait for the inbox to drain, before and after reconciliation. Default 180 s each. */
  settleTimeoutMs?: number
  log?: (line: string) => void
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The configured secrets: none of them may appear in any log line. */
export const CONFIGURED_SECRETS = [
  credentials.SANDBOX_SECPAID_DEV_KEY,
  credentials.SANDBOX_SECPAID_PROD_KEY,
  credentials.SANDBOX_PAYIN_API_KEY,
  credentials.SANDBOX_PAYIN_WEBHOOK_SECRET,
]

/** A per-gateway mutex: a webhook mode set for one payment must not be consumed by another's webhook. */
function lockPerGateway() {
  const tails = new Map<Gateway, Promise<void>>()
  return (gateway: Gateway, fn: () => Promise<void>) => {
    const run = (tails.get(gateway) ?? Promise.resolve()).then(fn)
    tails.set(gateway, run.catch(() => undefined))
    return run
  }
}

export async function runChaosStorm(options: ChaosStormOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined)
  const concurrency = Math.max(1, options.concurrency ?? 5)
  const seed = options.seed ?? 1
  const requestTimeoutMs = options.requestTimeoutMs ?? 3000
  const settleTimeoutMs = options.settleTimeoutMs ?? 180_000
  const random = seededRandom(seed)
  const killIndex = Math.max(1, Math.floor(options.checkouts * (options.killAt ?? 0.5)))
  const plans = planCheckouts(options.checkouts, random)
  const cleanups: Array<() => Promise<void>> = []
  const logs: string[] = []
  const began = Date.now()

  try {
    const sandbox = await startSandbox({ port: 0, retryDelaysMs: [200, 400, 800, 1600], warn: () => undefined, secpaid: { rateLimitPerMinute: 6000 } })
    cleanups.push(() => sandbox.close())
    const applied = instrumentSandbox(sandbox)
    const control = new SandboxControl(sandbox.url)

    const { databaseUrl, fixture, port, backendUrl, env } = await prepareStormStore({
      sandbox,
      databasePrefix: "medusa_chaos",
      cleanups,
      log,
      extraEnv: {
        SECPAID_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
        PAYIN_REQUEST_TIMEOUT_MS: String(requestTimeoutMs),
        // As inbox-crash-recovery: a dead process's lock is taken over after 5 s; the inbox is polled every second;
        // a failed processing attempt is retried after 1 s, 2 s, 4 s … instead of 5 s, 10 s … so the storm settles sooner.
        PAYMENT_GATEWAYS_PROCESSING_LOCK_MS: "5000",
        PAYMENT_GATEWAYS_INBOX_POLL_MS: "1000",
        PAYMENT_GATEWAYS_BASE_BACKOFF_MS: "1000",
      },
    })
    const processes: MedusaProcess[] = []
    cleanups.push(async () => {
      for (const p of processes) await p.stop()
    })
    let medusa = await startMedusa(port, env, "chaos store")
    processes.push(medusa)
    await control.payinSetWebhookEndpoints([{ url: `${backendUrl}/hooks/payin` }])
    const api = axios.create({ baseURL: backendUrl, timeout: 120_000 })
    log(`store up on ${backendUrl}; storm of ${plans.length} checkouts, ${concurrency} at a time (seed ${seed})`)

    // ---- the storm ----
    const records: CheckoutRecord[] = plans.map((p) => ({ ...p, stage: "waiting", paymentMade: false, startedAt: 0, stageMs: {} }))
    const inFlight = new Set<CheckoutRecord>()
    let storeUp: Promise<void> = Promise.resolve()
    let paidListeners: Array<() => void> = []
    const replays: Array<Promise<number | undefined>> = []
    const replayStatuses: Array<number | undefined> = []
    let markKilled!: () => void
    const storeKilled = new Promise<void>((r) => (markKilled = r))
    // Just before the kill, the first payment of each gateway that gets that far waits, and is made once the store is dead.
    const volunteers: Record<Gateway, number> = { secpaid: 0, payin: 0 }
    let killed = false
    const deps = {
      storeKilled,
      volunteerToPayWhileStoreDown: (gateway: Gateway) => {
        if (killed || started < killIndex - 8 || volunteers[gateway] >= 1) return false
        volunteers[gateway]++
        return true
      },
      api,
      fixture,
      control,
      sandbox,
      backendUrl,
      payLock: lockPerGateway(),
      onPaid: () => {
        for (const l of paidListeners) l()
        paidListeners = []
      },
      replayLater: (d: Delivery) => {
        replays.push(
          sleep(2000 + random() * 4000)
            .then(() => fetch(d.url, { method: "POST", headers: d.headers, body: d.body }))
            .then((res) => (res.arrayBuffer(), res.status), () => undefined)
            .then((status) => (replayStatuses.push(status), status))
        )
      },
    }

    const stormStart = Date.now()
    const stopBursts = startGatewayBursts({ sandbox, random, requestTimeoutMs, everyMs: options.burstEveryMs ?? 6000, log })
    let next = 0
    let started = 0
    const worker = async () => {
      while (next < records.length) {
        const record = records[next++]
        await storeUp
        record.startedAt = Date.now()
        started++
        inFlight.add(record)
        await runCheckout(record, deps, record)
        inFlight.delete(record)
        if (record.failure) log(`checkout ${record.index} (${record.gateway}) failed at ${record.failure.stage}: ${record.failure.kind} ${record.failure.message}`)
        const done = records.filter((r) => r.endedAt).length
        if (done % 50 === 0) log(`${done}/${records.length} checkouts done`)
      }
    }

    // kill -9 once `killAt` of the checkouts have started, right after a payment whose webhook is being processed.
    const kill = { atStarted: 0, inFlightByStage: {} as Record<string, number>, inboxAtKill: {} as Record<string, number>, downtimeMs: 0, killedAt: 0, upAgainAt: 0 }
    const killer = async () => {
      // (or once every shopper in flight is one waiting for the kill, with few workers)
      const allWaiting = () => inFlight.size > 0 && [...inFlight].every((r) => r.payWhileStoreDown && r.stage === "pay")
      const waitUntil = Date.now() + 120_000
      while ((started < killIndex || volunteers.secpaid + volunteers.payin < 2) && !allWaiting() && Date.now() < waitUntil) await sleep(50)
      await Promise.race([new Promise<void>((r) => paidListeners.push(r)), sleep(15_000)])
      await sleep(150) // the webhook answered 200; its processing (gateway verification, cart completion) is now running
      let reopen!: () => void
      storeUp = new Promise<void>((r) => (reopen = r))
      kill.atStarted = started
      for (const r of inFlight) kill.inFlightByStage[r.stage] = (kill.inFlightByStage[r.stage] ?? 0) + 1
      log(`kill -9 of the medusa process group (pid ${medusa.child.pid}) with ${inFlight.size} checkouts in flight ${JSON.stringify(kill.inFlightByStage)}`)
      kill.killedAt = Date.now()
      await medusa.killHard()
      killed = true
      markKilled()
      kill.inboxAtKill = (await readStoreBooks(databaseUrl, [])).inboxByStatus
      log(`inbox at the kill: ${JSON.stringify(kill.inboxAtKill)}; restarting on port ${port}`)
      medusa = await startMedusa(port, env, "chaos store after kill -9")
      processes.push(medusa)
      kill.upAgainAt = Date.now()
      kill.downtimeMs = kill.upAgainAt - kill.killedAt
      log(`restarted after ${(kill.downtimeMs / 1000).toFixed(1)} s`)
      reopen()
    }

    await Promise.all([killer(), ...Array.from({ length: concurrency }, worker)])
    const stormMs = Date.now() - stormStart
    const bursts = stopBursts()
    log(`storm done in ${(stormMs / 1000).toFixed(1)} s; flushing held webhooks, waiting for replays`)
    await control.flushHeldWebhooks()
    await Promise.all(replays)

    // ---- settle, reconcile, settle ----
    const cartIds = records.flatMap((r) => (r.cartId ? [r.cartId] : []))
    const waitForQuiet = async (what: string) => {
      const started = Date.now()
      for (;;) {
        const books = await readStoreBooks(databaseUrl, cartIds)
        const running = (books.inboxByStatus.received ?? 0) + (books.inboxByStatus.processing ?? 0)
        const paid = paidAtSandbox(sandbox)
        const missing = records.filter((r) => isPaidAt(paid, r) && !books.ordersPerCart.get(r.cartId!)).length
        // Events waiting for a retry only matter while a paid cart still lacks its order (an expiry event for a
        // session that no longer exists retries for minutes and changes nothing).
        const quiet = running === 0 && ((books.inboxByStatus.failed ?? 0) === 0 || missing === 0)
        if (quiet || Date.now() - started > settleTimeoutMs) {
          log(`${what}: inbox ${JSON.stringify(books.inboxByStatus)}, ${missing} paid carts without an order (${((Date.now() - started) / 1000).toFixed(1)} s)`)
          return { ms: Date.now() - started, paidWithoutOrder: missing }
        }
        await sleep(1000)
      }
    }
    const beforeReconcile = await waitForQuiet("before reconciliation")
    const idsFile = path.join(os.tmpdir(), `chaos-ids-${process.pid}-${Date.now()}.json`)
    const resultFile = path.join(os.tmpdir(), `chaos-reconcile-${process.pid}-${Date.now()}.json`)
    fs.writeFileSync(idsFile, "[]")
    const reconcileStart = Date.now()
    let reconcile: { report: ReconcileGatewayPaymentsReport; calls: string[] }
    for (let run = 1; ; run++) {
      logs.push(await medusaCli(["exec", "./bench/reconcile-exec.ts"], { ...env, BENCH_PAY_IDS_FILE: idsFile, BENCH_RESULT_FILE: resultFile }))
      reconcile = JSON.parse(fs.readFileSync(resultFile, "utf8"))
      const unfinished = Object.entries(reconcile.report).filter(([, part]) => part.unfinished)
      if (!unfinished.length || run === 3) break
      // As the scheduled job would: the next run, once SecPaid's minute (spent by the storm) has passed.
      log(`reconciliation run ${run} did not finish ${unfinished.map(([g, part]) => `${g} (${part.unfinished})`).join(", ")}; running again in 60 s`)
      await sleep(60_000)
    }
    const reconcileMs = Date.now() - reconcileStart
    fs.rmSync(idsFile, { force: true })
    fs.rmSync(resultFile, { force: true })
    log(`reconciliation: ${JSON.stringify(reconcile.report)}`)
    const afterReconcile = await waitForQuiet("after reconciliation")

    // ---- count ----
    const books = await readStoreBooks(databaseUrl, cartIds)
    const paid = paidAtSandbox(sandbox)
    for (const p of processes) {
      await p.stop()
      logs.push(p.output())
    }
    const offenders = records.filter((r) => {
      const orders = r.cartId ? books.ordersPerCart.get(r.cartId) ?? 0 : 0
      return isPaidAt(paid, r) !== orders > 0 || orders > 1 || (!isPaidAt(paid, r) && (books.paymentsPerCart.get(r.cartId ?? "") ?? 0) > 0)
    })
    const diagnosis = await Promise.all(offenders.slice(0, 20).map(async (r) => ({ ...r, inbox: r.ref ? await inboxRowsFor(databaseUrl, r.ref) : [] })))

    return buildReport({
      options: { checkouts: plans.length, concurrency, seed, requestTimeoutMs },
      records,
      paid,
      books,
      deliveries: sandbox.context.webhooks.deliveries(),
      replayStatuses,
      applied,
      bursts,
      kill,
      reconcile: { ...reconcile, paidWithoutOrderBefore: beforeReconcile.paidWithoutOrder },
      logLines: logs.join("\n").split("\n").length,
      secretLines: linesWithSecret(logs.join("\n"), CONFIGURED_SECRETS),
      diagnosis,
      timings: { totalMs: Date.now() - began, stormMs, settleBeforeMs: beforeReconcile.ms, reconcileMs, settleAfterMs: afterReconcile.ms },
    })
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e) => log(`cleanup: ${(e as Error).message}`))
  }
}

export type { ChaosReport } from "./report"
export type { Stage }
