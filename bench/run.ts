/**
 * `npm run bench` (node --import tsx bench/run.ts) — measured figures, from one run.
 *
 * Starts its own PostgreSQL (embedded, unless DATABASE_URL points at a server it may
 * create a database on), its own gateway sandbox in this process, and one real
 * `medusa start` process; then measures, in order:
 *   1. floor: POST /store/carts/:id/complete with Medusa's pp_system_default (EUR and USD carts),
 *   2. initiatePayment: POST payment-sessions for SecPaid / PayIn / system on the same carts,
 *      and the sandbox round trip alone (createLink, POST /orders replayed directly),
 *   3. webhook → order through /hooks/<gateway> and through core /hooks/payment/<provider>,
 *   4. webhook ingest burst with 30 % duplicates, beside the same burst against a bare route
 *      in the same Medusa process that stores one row per request (bench/ingest-floor/);
 *      peak RSS of Medusa,
 *   5. reconciliation of 1,000 and 10,000 pending SecPaid payments (`medusa exec`).
 * Prints a table and writes bench/results/<timestamp>.json. Sizes: BENCH_N (latency
 * samples per route, default 20), BENCH_INGEST_ORDERS (paid PayIn orders replayed in
 * the burst, default 150), BENCH_INGEST_CONCURRENCY (default 8), BENCH_RECONCILE (comma
 * list, default "1000,10000"), BENCH_PHASES (default "latency,ingest,reconcile").
 * All traffic goes to localhost. Nothing here asserts a duration.
 */
import fs from "node:fs"
import http from "node:http"
import os from "node:os"
import path from "node:path"
import axios, { type AxiosInstance } from "axios"
import { Client } from "pg"
import { SandboxControl } from "../sandbox/control-client"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET, SANDBOX_SECPAID_DEV_KEY } from "../sandbox/credentials"
import { startSandbox, type RunningSandbox } from "../sandbox/server"
import { payInSignatureHeader } from "../sandbox/payin/webhooks"
import { secPaidTime } from "../sandbox/secpaid/state"
import { createCartReadyForPayment } from "../integration-tests/helpers/checkout"
import { storeHeaders, type StoreFixture } from "../integration-tests/helpers/store-fixture"
import { startBenchDatabaseServer } from "./database"
import { createDatabase, dropDatabase, freePort, medusaCli, medusaEnv, migrateAndSeed, startMedusa, type MedusaProcess } from "../integration-tests/multi-instance/medusa-process"
import { withDb } from "../integration-tests/multi-instance/store-db"

const root = path.resolve(__dirname, "..")
const int = (v: string | undefined, d: number) => {
  const n = Number.parseInt(v ?? "", 10)
  return Number.isSafeInteger(n) && n > 0 ? n : d
}
const N = int(process.env.BENCH_N, 20)
const INGEST_ORDERS = int(process.env.BENCH_INGEST_ORDERS, 150)
const RECONCILE_SIZES = (process.env.BENCH_RECONCILE ?? "1000,10000").split(",").map((s) => int(s, 0)).filter((n) => n > 0).sort((a, b) => a - b)
const INGEST_CONCURRENCY = int(process.env.BENCH_INGEST_CONCURRENCY, 8)
/** What to measure: latency (floor, initiatePayment, webhook → order), ingest, reconcile. */
const PHASES = new Set((process.env.BENCH_PHASES ?? "latency,ingest,reconcile").split(",").map((s) => s.trim()))
const DUPLICATE_SHARE = 0.3
/** The plugin's SecPaid client and the sandbox both allow 60 calls per minute per key; the bench stays under it. */
const SECPAID_BUDGET_PER_MINUTE = 55

const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`)
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const nowMs = () => Number(process.hrtime.bigint()) / 1e6

type Stats = { n: number; p50: number; p95: number; p99: number; min: number; max: number }
function stats(values: number[]): Stats {
  const s = [...values].sort((a, b) => a - b)
  const rank = (p: number) => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]
  const r = (x: number) => Math.round(x * 10) / 10
  return { n: s.length, p50: r(rank(50)), p95: r(rank(95)), p99: r(rank(99)), min: r(s[0]), max: r(s[s.length - 1]) }
}

// ---------------------------------------------------------------- infrastructure

/** The Medusa process and its descendants (medusa start may fork). */
function processTree(pid: number): number[] {
  const parents = new Map<number, number[]>()
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8")
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1])
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)])
    } catch {
      // the process ended while we looked
    }
  }
  const out = [pid]
  for (let i = 0; i < out.length; i++) out.push(...(parents.get(out[i]) ?? []))
  return out
}

function peakRssKb(pid: number): number {
  let max = 0
  for (const p of processTree(pid)) {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"))
      if (m) max = Math.max(max, Number(m[1]))
    } catch {
      // gone
    }
  }
  return max
}

/** Resets the kernel's peak-RSS mark (VmHWM) so the next reading covers only what follows. */
function resetPeakRss(pid: number): boolean {
  let ok = true
  for (const p of processTree(pid)) {
    try {
      fs.writeFileSync(`/proc/${p}/clear_refs`, "5")
    } catch {
      ok = false
    }
  }
  return ok
}

/**
 * A throw-away local plugin holding the ingest floor route (bench/ingest-floor/), so the
 * route runs in the same Medusa process without ever being part of the published plugin.
 * Medusa loads a local plugin's code from <dir>/.medusa/server/src.
 */
function writeBenchPlugin(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-plugin-"))
  const api = path.join(dir, ".medusa/server/src/api")
  fs.mkdirSync(path.join(api, "bench/ingest-floor"), { recursive: true })
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "bench-ingest-floor", version: "0.0.0", private: true }))
  fs.copyFileSync(path.join(root, "bench/ingest-floor/route.ts"), path.join(api, "bench/ingest-floor/route.ts"))
  fs.copyFileSync(path.join(root, "bench/ingest-floor/middlewares.ts"), path.join(api, "middlewares.ts"))
  return dir
}

// ---------------------------------------------------------------- store calls

class Store {
  constructor(readonly api: AxiosInstance, readonly fixture: StoreFixture, readonly databaseUrl: string) {}

  cart(currency: "eur" | "usd") {
    return createCartReadyForPayment(this.api, this.fixture, { currency })
  }

  /** Payment collection, then a session; returns the session and the time of the payment-sessions POST alone. */
  async session(cartId: string, providerId: string): Promise<{ session: any; ms: number }> {
    const h = storeHeaders(this.fixture)
    const { data } = await this.api.post("/store/payment-collections", { cart_id: cartId }, h)
    const t0 = nowMs()
    const res = await this.api.post(`/store/payment-collections/${data.payment_collection.id}/payment-sessions`, { provider_id: providerId }, h)
    const ms = nowMs() - t0
    const session = res.data.payment_collection.payment_sessions.find((s: any) => s.provider_id === providerId)
    if (!session) throw new Error(`No ${providerId} session was created for cart ${cartId}.`)
    return { session, ms }
  }

  async complete(cartId: string): Promise<{ ms: number; status: number; body: any }> {
    const t0 = nowMs()
    const res = await this.api.post(`/store/carts/${cartId}/complete`, {}, { ...storeHeaders(this.fixture), validateStatus: () => true })
    return { ms: nowMs() - t0, status: res.status, body: res.data }
  }

  /** created_at (ms) of the cart's order once its payment is captured; polls the database. */
  async capturedOrderCreatedAt(cartId: string, timeoutMs = 60_000): Promise<number> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const row = await withDb(this.databaseUrl, async (db) => {
        const { rows } = await db.query(
          `SELECT o.created_at FROM order_cart oc JOIN "order" o ON o.id = oc.order_id
             JOIN cart_payment_collection cpc ON cpc.cart_id = oc.cart_id AND cpc.deleted_at IS NULL
             JOIN payment p ON p.payment_collection_id = cpc.payment_collection_id AND p.captured_at IS NOT NULL AND p.deleted_at IS NULL
            WHERE oc.cart_id = $1 AND oc.deleted_at IS NULL LIMIT 1`,
          [cartId]
        )
        return rows[0]
      })
      if (row) return new Date(row.created_at).getTime()
      if (Date.now() > deadline) throw new Error(`No captured order for cart ${cartId} within ${timeoutMs} ms.`)
      await sleep(100)
    }
  }

  async ordersPerCart(cartIds: string[]): Promise<Map<string, number>> {
    return withDb(this.databaseUrl, async (db) => {
      const { rows } = await db.query(`SELECT cart_id, count(*)::int AS n FROM order_cart WHERE cart_id = ANY($1) AND deleted_at IS NULL GROUP BY cart_id`, [cartIds])
      return new Map(rows.map((r) => [r.cart_id as string, r.n as number]))
    })
  }
}

/** Waits until the sandbox has seen fewer than SECPAID_BUDGET_PER_MINUTE - need SecPaid API calls in the last minute. */
async function secPaidBudget(control: SandboxControl, need: number): Promise<void> {
  for (;;) {
    const since = Date.now() - 60_000
    const recent = (await control.requests({ gateway: "secpaid" })).filter((r) => !r.endpoint.includes("/") && new Date(r.at).getTime() > since)
    if (recent.length + need <= SECPAID_BUDGET_PER_MINUTE) return
    const oldest = Math.min(...recent.map((r) => new Date(r.at).getTime()))
    await sleep(Math.max(250, oldest + 60_000 - Date.now() + 50))
  }
}

// ---------------------------------------------------------------- measurements

async function measureFloorAndInitiate(store: Store, control: SandboxControl) {
  const complete: Record<"eur" | "usd", number[]> = { eur: [], usd: [] }
  const initiate: Record<string, number[]> = { "pp_system_default (EUR cart)": [], "pp_system_default (USD cart)": [], pp_secpaid_secpaid: [], pp_payin_payin: [] }
  for (let i = 0; i < N; i++) {
    for (const currency of ["eur", "usd"] as const) {
      const cart = await store.cart(currency)
      const { ms } = await store.session(cart.id, "pp_system_default")
      initiate[`pp_system_default (${currency.toUpperCase()} cart)`].push(ms)
      const done = await store.complete(cart.id)
      if (done.status !== 200 || done.body?.type !== "order") throw new Error(`System-provider cart ${cart.id} did not complete: ${done.status} ${JSON.stringify(done.body).slice(0, 300)}`)
      complete[currency].push(done.ms)
    }
  }
  log(`floor: ${N} EUR + ${N} USD carts completed with pp_system_default`)

  // Sandbox round trip alone: the provider's own createLink / POST /orders, replayed as sent.
  const roundTrip: Record<string, number[]> = { "SecPaid createLink": [], "PayIn POST /orders": [] }
  for (let i = 0; i < N; i++) {
    await secPaidBudget(control, 2)
    const eur = await store.cart("eur")
    initiate.pp_secpaid_secpaid.push((await store.session(eur.id, "pp_secpaid_secpaid")).ms)
    const usd = await store.cart("usd")
    initiate.pp_payin_payin.push((await store.session(usd.id, "pp_payin_payin")).ms)
  }
  const [link] = (await control.requests({ gateway: "secpaid", endpoint: "createLink" })).slice(-1)
  const [order] = (await control.requests({ gateway: "payin", endpoint: "POST /orders" })).slice(-1)
  const base = process.env.SANDBOX_URL!
  for (let i = 0; i < N; i++) {
    await secPaidBudget(control, 1)
    const ct = String((link.headers as any)["content-type"] ?? "application/x-www-form-urlencoded")
    let t0 = nowMs()
    const a = await fetch(`${base}${link.path}`, { method: "POST", headers: { "content-type": ct, token: SANDBOX_SECPAID_DEV_KEY }, body: link.rawBody })
    await a.text()
    roundTrip["SecPaid createLink"].push(nowMs() - t0)
    if (!a.ok) throw new Error(`Direct createLink answered ${a.status}.`)
    const body = JSON.parse(order.rawBody)
    for (const k of ["orderReference", "order_reference"]) if (k in body) body[k] = `${body[k]}-rt${i}`
    t0 = nowMs()
    const b = await fetch(`${base}${order.path}`, { method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${SANDBOX_PAYIN_API_KEY}` }, body: JSON.stringify(body) })
    await b.text()
    roundTrip["PayIn POST /orders"].push(nowMs() - t0)
    if (!b.ok) throw new Error(`Direct POST /orders answered ${b.status}.`)
  }
  log(`initiatePayment: ${N} sessions per provider, ${N} direct sandbox round trips per gateway`)
  return { complete, initiate, roundTrip }
}

type Route = "plugin" | "core"
const webhookUrl = (backend: string, route: Route, gateway: "secpaid" | "payin") =>
  route === "plugin" ? `${backend}/hooks/${gateway}` : `${backend}/hooks/payment/${gateway}_${gateway}`

/** A checkout paid at the sandbox with the gateway's own webhook dropped; the bench decides what Medusa receives. */
async function paidCheckout(store: Store, control: SandboxControl, gateway: "secpaid" | "payin") {
  if (gateway === "secpaid") {
    await secPaidBudget(control, 1)
    const cart = await store.cart("eur")
    const { session } = await store.session(cart.id, "pp_secpaid_secpaid")
    await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: 1 })
    await control.secpaidPay(String(session.data.pay_id))
    await control.webhookBehaviour({ gateway: "secpaid", mode: "normal" })
    return { cartId: cart.id as string, ref: String(session.data.pay_id) }
  }
  const cart = await store.cart("usd")
  const { session } = await store.session(cart.id, "pp_payin_payin")
  const ref = String(session.data.payin_order_id)
  await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
  await control.payinTransfer(ref, { amount: "32.25" })
  await control.webhookBehaviour({ gateway: "payin", mode: "normal" })
  return { cartId: cart.id as string, ref }
}

function sendWebhook(control: SandboxControl, gateway: "secpaid" | "payin", ref: string, to: string) {
  return gateway === "secpaid"
    ? control.secpaidSendWebhook({ payId: ref, status: "success", to })
    : control.payinSendWebhook({ orderId: ref, type: "order.completed", variant: "valid", to })
}

async function measureWebhookToOrder(store: Store, control: SandboxControl, backend: string) {
  const out: Record<string, number[]> = {}
  // Plugin routes: one payment at a time, each timed from the moment its webhook is sent.
  for (const gateway of ["secpaid", "payin"] as const) {
    const key = `plugin /hooks/${gateway}`
    out[key] = []
    for (let i = 0; i < N; i++) {
      const c = await paidCheckout(store, control, gateway)
      if (gateway === "secpaid") await secPaidBudget(control, 3)
      const sentAt = Date.now()
      await sendWebhook(control, gateway, c.ref, webhookUrl(backend, "plugin", gateway))
      out[key].push((await store.capturedOrderCreatedAt(c.cartId)) - sentAt)
    }
    log(`${key}: ${N} webhooks → orders`)
  }
  // Core route: it answers at once and handles the event 5 s later, so payments are
  // prepared first and their webhooks sent 1.2 s apart (not one at a time: N × 5 s).
  for (const gateway of ["secpaid", "payin"] as const) {
    const key = `core /hooks/payment/${gateway}_${gateway}`
    const checkouts = []
    for (let i = 0; i < N; i++) checkouts.push(await paidCheckout(store, control, gateway))
    if (gateway === "secpaid") await secPaidBudget(control, N)
    const sent: number[] = []
    for (const c of checkouts) {
      sent.push(Date.now())
      await sendWebhook(control, gateway, c.ref, webhookUrl(backend, "core", gateway))
      await sleep(1200)
    }
    out[key] = []
    for (let i = 0; i < checkouts.length; i++) out[key].push((await store.capturedOrderCreatedAt(checkouts[i].cartId, 120_000)) - sent[i])
    log(`${key}: ${N} webhooks → orders`)
  }
  return out
}

/**
 * Genuine PayIn events for `orders` paid orders: the sandbox delivers them to a local
 * catcher instead of the store, so the bench holds the exact bodies PayIn sent.
 */
async function collectPayInEvents(store: Store, control: SandboxControl, orders: number) {
  const bodies: string[] = []
  const catcher = http.createServer((req, res) => {
    let body = ""
    req.on("data", (d) => (body += d))
    req.on("end", () => {
      bodies.push(body)
      res.writeHead(200).end("ok")
    })
  })
  await new Promise<void>((r) => catcher.listen(0, "127.0.0.1", () => r()))
  const carts: string[] = []
  try {
    await control.payinSetWebhookEndpoints([{ url: `http://127.0.0.1:${(catcher.address() as any).port}/caught` }])
    for (let i = 0; i < orders; i++) {
      const cart = await store.cart("usd")
      const { session } = await store.session(cart.id, "pp_payin_payin")
      await control.payinTransfer(String(session.data.payin_order_id), { amount: "32.25" })
      carts.push(cart.id)
    }
    // Deliveries are asynchronous: wait until every order's completion event arrived.
    const deadline = Date.now() + 60_000
    while (bodies.filter((b) => b.includes("order.completed")).length < orders && Date.now() < deadline) await sleep(100)
  } finally {
    await new Promise((r) => catcher.close(r))
  }
  return { carts, bodies }
}

/**
 * Sends `events` to `url`, `concurrency` at a time; returns the wall time and the answers.
 * PayIn signs every delivery (and every retry) when it sends it, so the bench — standing
 * in for PayIn — signs each body with the sandbox's webhook secret just before sending.
 */
async function burst(url: string, events: Array<{ id: string; body: string }>, concurrency: number) {
  const statuses = new Map<number, number>()
  let next = 0
  const t0 = nowMs()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const e = events[next++]
        if (!e) return
        const headers = {
          "content-type": "application/json",
          "x-payin-signature": payInSignatureHeader(SANDBOX_PAYIN_WEBHOOK_SECRET, Math.floor(Date.now() / 1000), e.body),
          "x-bench-event-id": e.id,
        }
        const r = await fetch(url, { method: "POST", headers, body: e.body })
        await r.text()
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
      }
    })
  )
  const ms = nowMs() - t0
  return { ms, eventsPerSecond: (events.length / ms) * 1000, statuses: Object.fromEntries(statuses) }
}

async function measureIngest(store: Store, control: SandboxControl, backend: string, medusa: MedusaProcess, databaseUrl: string) {
  const concurrency = INGEST_CONCURRENCY
  const { carts, bodies } = await collectPayInEvents(store, control, INGEST_ORDERS)
  const unique = bodies.map((body, i) => ({ id: String(JSON.parse(body).id ?? `event-${i}`), body }))
  const total = Math.round(unique.length / (1 - DUPLICATE_SHARE))
  const events = [...unique]
  for (let i = 0; events.length < total; i++) events.push(unique[(i * 7919) % unique.length])
  // Deterministic shuffle so duplicates are spread through the burst.
  for (let i = events.length - 1; i > 0; i--) {
    const j = (i * 2654435761) % (i + 1)
    ;[events[i], events[j]] = [events[j], events[i]]
  }
  log(`ingest: ${unique.length} genuine events of ${carts.length} paid orders, ${events.length - unique.length} duplicates`)

  // Floor: the same bodies, duplicates and concurrency against the bare route in the same process.
  await withDb(databaseUrl, (db: Client) =>
    db.query(`CREATE TABLE IF NOT EXISTS bench_ingest_floor (id bigserial PRIMARY KEY, event_id text NOT NULL UNIQUE, body text NOT NULL, received_at timestamptz NOT NULL DEFAULT now())`)
  )
  await burst(`${backend}/bench/ingest-floor`, events.slice(0, 20).map((e) => ({ ...e, id: `warm-up-${e.id}` })), concurrency)
  const floor = await burst(`${backend}/bench/ingest-floor`, events, concurrency)
  const floorRows = await withDb(databaseUrl, async (db: Client) => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM bench_ingest_floor WHERE event_id NOT LIKE 'warm-up-%'`)
    await db.query(`DROP TABLE bench_ingest_floor`)
    return rows[0].n as number
  })
  log(`ingest floor: ${events.length} requests in ${Math.round(floor.ms)} ms (${floorRows} rows)`)

  const rssBeforeBurstKb = peakRssKb(medusa.child.pid!)
  const peakReset = resetPeakRss(medusa.child.pid!)
  const plugin = await burst(`${backend}/hooks/payin`, events, concurrency)
  const settleStart = nowMs()
  for (const c of carts) await store.capturedOrderCreatedAt(c, 300_000)
  const settleMs = nowMs() - settleStart
  await sleep(3000) // late duplicates would land now
  const perCart = await store.ordersPerCart(carts)
  const duplicateOrders = carts.reduce((s, c) => s + Math.max(0, (perCart.get(c) ?? 0) - 1), 0)
  const missingOrders = carts.filter((c) => !perCart.get(c)).length
  const peakRssKbDuringBurst = peakRssKb(medusa.child.pid!)
  log(`ingest: ${events.length} events (${events.length - unique.length} duplicates) in ${Math.round(plugin.ms)} ms`)
  return {
    paidOrders: carts.length,
    uniqueEvents: unique.length,
    events: events.length,
    duplicateEvents: events.length - unique.length,
    concurrency,
    statuses: plugin.statuses,
    burstMs: plugin.ms,
    eventsPerSecond: plugin.eventsPerSecond,
    allOrdersAfterMs: settleMs,
    duplicateOrders,
    missingOrders,
    floor: { route: "POST /bench/ingest-floor", ms: floor.ms, eventsPerSecond: floor.eventsPerSecond, statuses: floor.statuses, rowsStored: floorRows },
    rssBeforeBurstKb,
    peakRssReset: peakReset,
    peakRssKbDuringBurst,
  }
}

async function measureReconcile(own: RunningSandbox, env: NodeJS.ProcessEnv) {
  const secpaid = own.context.secpaid
  const out: Array<{ pending: number; calls: number; endpoints: string[]; ms: number; report: any; target: number }> = []
  let created = 0
  for (const size of RECONCILE_SIZES) {
    const now = own.context.clock.now()
    const payIds: string[] = []
    for (let i = created; i < size; i++) {
      const id = secpaid.nextLinkId++
      payIds.push(String(id))
      secpaid.links.push({
        id, environment: "development", amount: "30.00", servicefee: "0.00", recipient_note: `medusa:bench-${i}`,
        callback_urls: [], payment_endpoints: [], cancellable: true, bank_transfer: false, is_qr_link: false,
        is_encryption: false, is_split_link: false, status: "Unused", created_at: secPaidTime(now),
      } as any)
    }
    // Settled payments of other links (half as many as pending): the list must page past them.
    for (let i = Math.floor(created / 2); i < Math.floor(size / 2); i++) {
      secpaid.transactions.push({
        environment: "development", pay_id: String(900000 + i), transaction_id: `bench-${i}`, amount: "12.00", net_amount: "11.50",
        service_fee: "0.50", service_fee_psp: "0.00", status: "Success", recipient_note: `other-${i}`, payment_method: "card",
        is_refund: "No", is_dispute: "No", is_split_link: "No", transaction_type: "Basic", created_at: secPaidTime(now),
      } as any)
    }
    created = size
    const idsFile = path.join(os.tmpdir(), `bench-payids-${process.pid}-${size}.json`)
    const resultFile = path.join(os.tmpdir(), `bench-reconcile-${process.pid}-${size}.json`)
    fs.writeFileSync(idsFile, JSON.stringify(payIds))
    await medusaCli(["exec", "./bench/reconcile-exec.ts"], { ...env, BENCH_PAY_IDS_FILE: idsFile, BENCH_RESULT_FILE: resultFile })
    const r = JSON.parse(fs.readFileSync(resultFile, "utf8"))
    fs.rmSync(idsFile, { force: true })
    fs.rmSync(resultFile, { force: true })
    out.push({ pending: r.report.secpaid.pending, calls: r.calls.length, endpoints: r.calls, ms: r.ms, report: r.report.secpaid, target: Math.ceil(r.report.secpaid.pending / 1000) + 2 })
    log(`reconcile: ${r.report.secpaid.pending} pending → ${r.calls.length} SecPaid calls in ${Math.round(r.ms)} ms`)
  }
  return out
}

// ---------------------------------------------------------------- main

function machine() {
  return {
    nproc: os.cpus().length,
    cpu: os.cpus()[0]?.model,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    loadavgAtEnd: os.loadavg().map((x) => Math.round(x * 100) / 100),
    node: process.version,
    platform: `${os.type()} ${os.release()}`,
  }
}

async function main() {
  const startedAt = new Date()
  const cleanups: Array<() => Promise<void>> = []
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch((e) => console.error(`cleanup: ${(e as Error).message}`))
  }
  process.on("SIGINT", () => void cleanup().then(() => process.exit(130)))
  try {
    const pg = await startBenchDatabaseServer("bench")
    cleanups.push(pg.stop)
    log(pg.describe)

    const own = await startSandbox({ port: 0, retryDelaysMs: [200, 400], warn: () => undefined })
    cleanups.push(() => own.close())
    // The store talks to this sandbox with its keys, as integration-tests/global-setup.ts sets them.
    process.env.SANDBOX_URL = own.url
    process.env.SECPAID_API_KEY = SANDBOX_SECPAID_DEV_KEY
    process.env.PAYIN_API_KEY = SANDBOX_PAYIN_API_KEY
    process.env.PAYIN_WEBHOOK_SECRET = SANDBOX_PAYIN_WEBHOOK_SECRET
    delete process.env.SECPAID_BASE_URL
    delete process.env.PAYIN_BASE_URL
    const control = new SandboxControl(own.url)

    const dbName = `medusa_bench_${process.pid}`
    const databaseUrl = await createDatabase(dbName)
    cleanups.push(() => dropDatabase(dbName))
    log(`migrating and seeding ${dbName}`)
    const fixture = await migrateAndSeed(databaseUrl)

    const port = await freePort()
    const backend = `http://localhost:${port}`
    const benchPlugin = writeBenchPlugin()
    cleanups.push(async () => fs.rmSync(benchPlugin, { recursive: true, force: true }))
    const env = medusaEnv(databaseUrl, { MEDUSA_BACKEND_URL: backend, SANDBOX_URL: own.url, MEDUSA_WORKER_MODE: "shared", MEDUSA_BENCH_PLUGIN_DIR: benchPlugin })
    const medusa = await startMedusa(port, env, "bench store")
    let stopped = false
    cleanups.push(async () => {
      if (!stopped) await medusa.stop()
    })
    log(`medusa start pid ${medusa.child.pid} at ${backend}`)
    const store = new Store(axios.create({ baseURL: backend }), fixture, databaseUrl)

    // Warm-up: the first requests compile routes and open pools; not counted.
    for (const currency of ["eur", "usd"] as const) {
      const cart = await store.cart(currency)
      await store.session(cart.id, "pp_system_default")
      await store.complete(cart.id)
    }
    await paidCheckout(store, control, "payin").then((c) => sendWebhook(control, "payin", c.ref, webhookUrl(backend, "plugin", "payin")).then(() => store.capturedOrderCreatedAt(c.cartId)))

    const latency = PHASES.has("latency")
      ? { ...(await measureFloorAndInitiate(store, control)), webhookToOrder: await measureWebhookToOrder(store, control, backend) }
      : undefined
    const ingest = PHASES.has("ingest") ? await measureIngest(store, control, backend, medusa, databaseUrl) : undefined
    await medusa.stop()
    stopped = true
    const reconcile = PHASES.has("reconcile") ? await measureReconcile(own, env) : undefined

    // Three significant digits: ratios can be far from 1.
    const ratio = (a: number, b: number) => Number((a / b).toPrecision(3))
    const ratios: Record<string, number> = {}
    let summary: Record<string, unknown> = {}
    if (latency) {
      const floor = { eur: stats(latency.complete.eur), usd: stats(latency.complete.usd) }
      const w = Object.fromEntries(Object.entries(latency.webhookToOrder).map(([k, v]) => [k, stats(v)]))
      const init = Object.fromEntries(Object.entries(latency.initiate).map(([k, v]) => [k, stats(v)]))
      const rt = Object.fromEntries(Object.entries(latency.roundTrip).map(([k, v]) => [k, stats(v)]))
      summary = { webhookToOrderMs: w, cartCompleteFloorMs: floor, initiatePaymentMs: init, sandboxRoundTripMs: rt }
      Object.assign(ratios, {
        "SecPaid plugin webhook→order p50 / EUR floor p50 (target ≤ 1.2)": ratio(w["plugin /hooks/secpaid"].p50, floor.eur.p50),
        "PayIn plugin webhook→order p50 / USD floor p50 (target ≤ 1.2)": ratio(w["plugin /hooks/payin"].p50, floor.usd.p50),
        "SecPaid core p50 / plugin p50 (target ≥ 20)": ratio(w["core /hooks/payment/secpaid_secpaid"].p50, w["plugin /hooks/secpaid"].p50),
        "PayIn core p50 / plugin p50 (target ≥ 20)": ratio(w["core /hooks/payment/payin_payin"].p50, w["plugin /hooks/payin"].p50),
        // The 1.1× target read as: a gateway session costs no more than Medusa's own session route plus the gateway round trip.
        "SecPaid session p50 / (system session p50 + createLink round trip p50) (target ≤ 1.1)": ratio(
          init.pp_secpaid_secpaid.p50,
          init["pp_system_default (EUR cart)"].p50 + rt["SecPaid createLink"].p50
        ),
        "PayIn session p50 / (system session p50 + POST /orders round trip p50) (target ≤ 1.1)": ratio(
          init.pp_payin_payin.p50,
          init["pp_system_default (USD cart)"].p50 + rt["PayIn POST /orders"].p50
        ),
        "SecPaid session p50 / createLink round trip p50 (literal reading)": ratio(init.pp_secpaid_secpaid.p50, rt["SecPaid createLink"].p50),
        "PayIn session p50 / POST /orders round trip p50 (literal reading)": ratio(init.pp_payin_payin.p50, rt["PayIn POST /orders"].p50),
      })
    }
    if (ingest) ratios["ingest events/s / bare-route floor events/s (target ≥ 0.5)"] = ratio(ingest.eventsPerSecond, ingest.floor.eventsPerSecond)

    const result = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      command: "npm run bench",
      phases: [...PHASES],
      sizes: { N, INGEST_ORDERS, INGEST_CONCURRENCY, RECONCILE_SIZES },
      machine: machine(),
      database: pg.describe,
      ...summary,
      ingest,
      reconcile: reconcile?.map(({ report, ...r }) => ({ ...r, report })),
      ratios,
      raw: latency ? { webhookToOrder: latency.webhookToOrder, complete: latency.complete, initiate: latency.initiate, roundTrip: latency.roundTrip } : undefined,
    }
    const dir = path.join(root, "bench/results")
    fs.mkdirSync(dir, { recursive: true })
    const file = path.join(dir, `${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
    fs.writeFileSync(file, JSON.stringify(result, null, 2))

    const row = (name: string, s: Stats) => `  ${name.padEnd(46)} ${String(s.n).padStart(3)}  p50 ${String(s.p50).padStart(8)}  p95 ${String(s.p95).padStart(8)}  p99 ${String(s.p99).padStart(8)} ms`
    if (latency) {
      const { webhookToOrderMs: w, cartCompleteFloorMs: floor, initiatePaymentMs: init, sandboxRoundTripMs: rt } = summary as any
      console.log("\nWebhook received → order created (ms, order.created_at − send time)")
      for (const [k, s] of Object.entries<Stats>(w)) console.log(row(k, s))
      console.log("Floor: POST /store/carts/:id/complete with pp_system_default")
      console.log(row("EUR cart", floor.eur))
      console.log(row("USD cart", floor.usd))
      console.log("initiatePayment: POST /store/payment-collections/:id/payment-sessions")
      for (const [k, s] of Object.entries<Stats>(init)) console.log(row(k, s))
      console.log("Sandbox round trip alone (direct HTTP from the bench)")
      for (const [k, s] of Object.entries<Stats>(rt)) console.log(row(k, s))
    }
    if (ingest) {
      console.log(
        `Ingest: ${ingest.events} PayIn events (${ingest.duplicateEvents} duplicates) at concurrency ${ingest.concurrency} → ${ingest.eventsPerSecond.toFixed(1)} events/s; statuses ${JSON.stringify(ingest.statuses)}; duplicate orders ${ingest.duplicateOrders}; missing orders ${ingest.missingOrders}; all ${ingest.paidOrders} orders ${Math.round(ingest.allOrdersAfterMs)} ms after the burst`
      )
      console.log(`  floor: the same ${ingest.events} requests to ${ingest.floor.route} (one INSERT each, same process) → ${ingest.floor.eventsPerSecond.toFixed(1)} events/s; statuses ${JSON.stringify(ingest.floor.statuses)}`)
      console.log(`  Medusa peak RSS during burst + processing: ${(ingest.peakRssKbDuringBurst / 1024).toFixed(0)} MiB (peak since start before the burst: ${(ingest.rssBeforeBurstKb / 1024).toFixed(0)} MiB; reset ${ingest.peakRssReset ? "ok" : "failed"})`)
    }
    if (reconcile) {
      console.log("Reconciliation of pending SecPaid payments")
      for (const r of reconcile) console.log(`  ${String(r.pending).padStart(6)} pending → ${r.calls} gateway calls (target ≤ ${r.target}) in ${Math.round(r.ms)} ms: ${r.endpoints.join(", ")}`)
    }
    console.log("Ratios (one run, shared machine)")
    for (const [k, v] of Object.entries(ratios)) console.log(`  ${k}: ${v}`)
    console.log(`\nWritten ${path.relative(root, file)}`)
  } finally {
    await cleanup()
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
