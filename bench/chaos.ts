/**
 * `node --import tsx bench/chaos.ts` — a bounded fault storm against a real store and the sandbox
 * (first cut of issue 9's `npm run chaos`; CHAOS_CHECKOUTS, default 40, half per gateway).
 *
 * Each checkout gets one webhook behaviour (normal, duplicate, reorder, delay, drop); every
 * 6th is left unpaid and sent a forged (SecPaid) or forged/replayed/unsigned (PayIn) webhook;
 * gateway 429 / 500 / slow faults are injected along the way; the Medusa process is killed
 * with SIGKILL halfway and restarted. Then held webhooks are flushed, reconciliation runs
 * once (`medusa exec bench/reconcile-exec.ts`) and the invariants are counted:
 * orders = payments paid at the sandbox, duplicate orders 0, orders for unpaid payments
 * (forged/replayed accepted) 0, paid payments without an order 0, log lines with a secret 0.
 * Exit code 1 when an invariant fails. All traffic goes to localhost.
 */
import { spawn } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import axios from "axios"
import { SandboxControl } from "../sandbox/control-client"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET, SANDBOX_SECPAID_DEV_KEY } from "../sandbox/credentials"
import { startSandbox } from "../sandbox/server"
import { createCartReadyForPayment, startPaymentSession } from "../integration-tests/helpers/checkout"
import { createDatabase, dropDatabase, freePort, medusaEnv, migrateAndSeed, startMedusa, type MedusaProcess } from "../integration-tests/multi-instance/medusa-process"
import { withDb } from "../integration-tests/multi-instance/store-db"

const root = path.resolve(__dirname, "..")
const CHECKOUTS = Math.max(4, Number.parseInt(process.env.CHAOS_CHECKOUTS ?? "", 10) || 40)
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const BEHAVIOURS = ["normal", "duplicate", "reorder", "delay", "drop"] as const

type Checkout = { gateway: "secpaid" | "payin"; cartId: string; ref: string; paid: boolean; behaviour: string; attack?: string }

async function startDatabaseServer(): Promise<() => Promise<void>> {
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL)
    Object.assign(process.env, { DB_HOST: u.hostname, DB_PORT: u.port || "5432", DB_USERNAME: decodeURIComponent(u.username || "postgres"), DB_PASSWORD: decodeURIComponent(u.password) })
    return async () => undefined
  }
  const { startEmbeddedPostgres } = await import(path.join(root, "scripts/lib/postgres.mjs"))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "chaos-pg-")) + "/data"
  const pg = await startEmbeddedPostgres({ dataDir, persistent: false })
  Object.assign(process.env, { DB_HOST: "localhost", DB_PORT: String(pg.port), DB_USERNAME: pg.user, DB_PASSWORD: pg.password })
  return async () => {
    await pg.stop()
    fs.rmSync(path.dirname(dataDir), { recursive: true, force: true })
  }
}

function medusaExec(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(root, "node_modules/.bin/medusa"), ["exec", script], { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (d) => (out += d))
    child.stderr!.on("data", (d) => (out += d))
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`medusa exec ${script} exited with ${code}:\n${out.slice(-3000)}`))))
  })
}

async function main() {
  const cleanups: Array<() => Promise<void>> = []
  let failed = false
  try {
    cleanups.push(await startDatabaseServer())
    const own = await startSandbox({ port: 0, retryDelaysMs: [200, 400, 800, 1600], warn: () => undefined, secpaid: { rateLimitPerMinute: 6000 } })
    cleanups.push(() => own.close())
    Object.assign(process.env, { SANDBOX_URL: own.url, SECPAID_API_KEY: SANDBOX_SECPAID_DEV_KEY, PAYIN_API_KEY: SANDBOX_PAYIN_API_KEY, PAYIN_WEBHOOK_SECRET: SANDBOX_PAYIN_WEBHOOK_SECRET })
    delete process.env.SECPAID_BASE_URL
    delete process.env.PAYIN_BASE_URL
    const control = new SandboxControl(own.url)

    const dbName = `medusa_chaos_${process.pid}`
    const databaseUrl = await createDatabase(dbName)
    cleanups.push(() => dropDatabase(dbName))
    log(`migrating and seeding ${dbName}`)
    const fixture = await migrateAndSeed(databaseUrl)
    const port = await freePort()
    const backend = `http://localhost:${port}`
    const env = medusaEnv(databaseUrl, {
      MEDUSA_BACKEND_URL: backend,
      SANDBOX_URL: own.url,
      MEDUSA_WORKER_MODE: "shared",
      // As inbox-crash-recovery: a dead process's lock is taken over after 5 s; the inbox is polled every second.
      PAYMENT_GATEWAYS_PROCESSING_LOCK_MS: "5000",
      PAYMENT_GATEWAYS_INBOX_POLL_MS: "1000",
    })
    const logs: string[] = []
    let medusa: MedusaProcess = await startMedusa(port, env, "chaos store")
    cleanups.push(async () => {
      logs.push(medusa.output())
      await medusa.stop()
    })
    await control.payinSetWebhookEndpoints([{ url: `${backend}/hooks/payin` }])
    const api = axios.create({ baseURL: backend })

    const checkouts: Checkout[] = []
    let checkoutErrors = 0
    let killed = false
    for (let i = 0; i < CHECKOUTS; i++) {
      const gateway = i % 2 ? "payin" : "secpaid"
      if (!killed && i >= CHECKOUTS / 2) {
        log(`kill -9 of medusa (pid ${medusa.child.pid}) mid-storm`)
        await medusa.killHard()
        logs.push(medusa.output())
        medusa = await startMedusa(port, env, "chaos store after kill -9")
        killed = true
        log("restarted")
      }
      // Gateway trouble along the way: the client must retry or fail the checkout cleanly.
      if (i % 5 === 2) {
        const kind = (["429", "500", "slow"] as const)[(i / 5) % 3 | 0]
        await control.injectFault({ gateway, kind, count: 1, delayMs: 1500, retryAfterSeconds: 1 })
      }
      try {
        const cart = await createCartReadyForPayment(api, fixture, { currency: gateway === "secpaid" ? "eur" : "usd" })
        const { session } = await startPaymentSession(api, fixture, cart.id, gateway === "secpaid" ? "pp_secpaid_secpaid" : "pp_payin_payin")
        const ref = String(gateway === "secpaid" ? session.data.pay_id : session.data.payin_order_id)
        const behaviour = BEHAVIOURS[i % BEHAVIOURS.length]
        if (i % 6 === 5) {
          // Not paid: an attacker claims it was.
          const attack = gateway === "secpaid" ? "forged" : (["forged", "replayed", "unsigned", "wrong-secret"] as const)[(i / 6) % 4 | 0]
          if (gateway === "secpaid") await control.secpaidSendWebhook({ payId: ref, status: "success", to: `${backend}/hooks/secpaid` })
          else await control.payinSendWebhook({ orderId: ref, type: "order.completed", variant: attack as any, to: `${backend}/hooks/payin` })
          checkouts.push({ gateway, cartId: cart.id, ref, paid: false, behaviour: "none", attack })
          continue
        }
        await control.webhookBehaviour({ gateway, mode: behaviour, count: 1, delayMs: 1000 })
        if (gateway === "secpaid") await control.secpaidPay(ref)
        else await control.payinTransfer(ref, { amount: "32.25" })
        await control.webhookBehaviour({ gateway, mode: "normal" })
        checkouts.push({ gateway, cartId: cart.id, ref, paid: true, behaviour })
      } catch (e) {
        checkoutErrors++
        log(`checkout ${i} (${gateway}) failed: ${String((e as any)?.response?.data?.message ?? (e as Error).message).slice(0, 200)}`)
        await control.webhookBehaviour({ gateway, mode: "normal" }).catch(() => undefined)
      }
    }
    await control.clearFaults()
    await control.flushHeldWebhooks()
    log(`storm done: ${checkouts.length} checkouts (${checkoutErrors} failed at checkout); settling`)
    await sleep(15_000)

    // One reconciliation pass, as the scheduled job would run it (pendingAfterMs 0).
    const idsFile = path.join(os.tmpdir(), `chaos-ids-${process.pid}.json`)
    const resultFile = path.join(os.tmpdir(), `chaos-reconcile-${process.pid}.json`)
    fs.writeFileSync(idsFile, "[]")
    logs.push(await medusaExec("./bench/reconcile-exec.ts", { ...env, BENCH_PAY_IDS_FILE: idsFile, BENCH_RESULT_FILE: resultFile }))
    const reconcile = JSON.parse(fs.readFileSync(resultFile, "utf8"))
    fs.rmSync(idsFile, { force: true })
    fs.rmSync(resultFile, { force: true })

    // Paid at the sandbox, per payment.
    const paidSecPaid = new Set(own.context.secpaid.transactions.filter((t) => t.status === "Success").map((t) => String(t.pay_id)))
    const paidPayIn = new Set(own.context.payin.orders.filter((o) => o.status === "completed").map((o) => o.id))
    const isPaid = (c: Checkout) => (c.gateway === "secpaid" ? paidSecPaid.has(c.ref) : paidPayIn.has(c.ref.toLowerCase()))
    const ordersPerCart = async () =>
      withDb(databaseUrl, async (db) => {
        const { rows } = await db.query(`SELECT cart_id, count(*)::int AS n FROM order_cart WHERE cart_id = ANY($1) AND deleted_at IS NULL GROUP BY cart_id`, [checkouts.map((c) => c.cartId)])
        return new Map(rows.map((r) => [r.cart_id as string, r.n as number]))
      })
    const deadline = Date.now() + 90_000
    let perCart = await ordersPerCart()
    while (Date.now() < deadline && checkouts.some((c) => isPaid(c) && !perCart.get(c.cartId))) {
      await sleep(1000)
      perCart = await ordersPerCart()
    }
    logs.push(medusa.output())

    const paid = checkouts.filter(isPaid)
    const withOrder = checkouts.filter((c) => perCart.get(c.cartId))
    const secrets = [SANDBOX_SECPAID_DEV_KEY, SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET]
    const secretLines = logs.join("\n").split("\n").filter((l) => secrets.some((s) => l.includes(s))).length
    const counts = {
      checkouts: checkouts.length,
      checkoutErrors,
      paidAtSandbox: paid.length,
      orders: withOrder.length,
      duplicateOrders: checkouts.reduce((s, c) => s + Math.max(0, (perCart.get(c.cartId) ?? 0) - 1), 0),
      forgedOrReplayedAccepted: checkouts.filter((c) => !isPaid(c) && perCart.get(c.cartId)).length,
      paidWithoutOrderAfterReconciliation: paid.filter((c) => !perCart.get(c.cartId)).length,
      logLinesWithSecret: secretLines,
      reconcile: { gatewayCalls: reconcile.calls.length, report: reconcile.report },
      killedAndRestarted: killed,
    }
    console.log(JSON.stringify(counts, null, 2))
    failed =
      counts.orders !== counts.paidAtSandbox ||
      counts.duplicateOrders !== 0 ||
      counts.forgedOrReplayedAccepted !== 0 ||
      counts.paidWithoutOrderAfterReconciliation !== 0 ||
      counts.logLinesWithSecret !== 0
    for (const c of checkouts.filter((c) => isPaid(c) !== !!perCart.get(c.cartId) || (perCart.get(c.cartId) ?? 0) > 1))
      console.log(`  off: ${c.gateway} ${c.ref} behaviour=${c.behaviour} attack=${c.attack ?? "-"} paid=${isPaid(c)} orders=${perCart.get(c.cartId) ?? 0}`)
    console.log(failed ? "CHAOS: an invariant failed" : "CHAOS: all invariants hold")
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${(e as Error).message}`))
  }
  return failed
}

main().then(
  (failed) => process.exit(failed ? 1 : 0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
