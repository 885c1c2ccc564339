import axios from "axios"
import { waitFor } from "../helpers/checkout"
import { createCartReadyForPayment, startPaymentSession } from "../helpers/checkout"
import type { StoreFixture } from "../helpers/store-fixture"
import { createDatabase, dropDatabase, freePort, medusaEnv, migrateAndSeed, startMedusa, type MedusaProcess } from "../multi-instance/medusa-process"
import { isolatedRedisUrl, redisUnreachableReason, redisUrlForTests } from "../multi-instance/redis"
import { capturedPaymentsForCart, deliveryVerdicts, inboxEvents, ordersForCart, withDb } from "../multi-instance/store-db"
import { secPaidCheckout } from "./inbox-helpers"
import { sandbox } from "./payin-helpers"

jest.setTimeout(600_000)

/**
 * Two real Medusa instances on one PostgreSQL and one Redis — a `server` (HTTP only)
 * and a `worker` (subscribers and jobs) — receive a burst of duplicated webhooks for
 * several SecPaid and PayIn payments: exactly one order per payment.
 *
 * Needs Redis (Redis event bus, workflow engine, locking). Where none is reachable the
 * test still runs, prints that it was skipped and why, and passes: CI (`.ci/run`) sets
 * REDIS_URL, so there it always runs for real.
 */
const PAYMENTS_PER_GATEWAY = 4
const COPIES = 5

const dbName = `inbox_multi_${process.pid}`
const processes: MedusaProcess[] = []
let skipReason: string | undefined
let databaseUrl: string
let fixture: StoreFixture

beforeAll(async () => {
  skipReason = await redisUnreachableReason(redisUrlForTests())
  if (skipReason) return
  databaseUrl = await createDatabase(dbName)
  fixture = await migrateAndSeed(databaseUrl)
}, 300_000)

afterAll(async () => {
  for (const p of processes) await p.stop()
  if (databaseUrl) await dropDatabase(dbName)
})

it("a server and a worker instance turn a burst of duplicated webhooks into exactly one order per payment", async () => {
  if (skipReason) {
    console.warn(`inbox-multi-instance: SKIPPED — ${skipReason}. Set REDIS_URL to a reachable Redis to run the two-instance test.`)
    return
  }
  const control = sandbox()
  await control.reset()
  const redisUrl = isolatedRedisUrl(redisUrlForTests(), 11)
  const serverPort = await freePort()
  const workerPort = await freePort()
  const base = `http://localhost:${serverPort}`
  const common = {
    MEDUSA_BACKEND_URL: base,
    REDIS_URL: redisUrl,
    PAYMENT_GATEWAYS_INBOX_POLL_MS: "1000",
    // `npm test` runs with LOG_LEVEL=error; the "processed" info lines show which instance worked.
    LOG_LEVEL: "info",
  }
  const server = await startMedusa(serverPort, medusaEnv(databaseUrl, { ...common, MEDUSA_WORKER_MODE: "server" }), "server")
  processes.push(server)
  const worker = await startMedusa(workerPort, medusaEnv(databaseUrl, { ...common, MEDUSA_WORKER_MODE: "worker" }), "worker")
  processes.push(worker)

  const api = axios.create({ baseURL: base })
  await control.payinSetWebhookEndpoints([{ url: `${base}/hooks/payin` }])

  // Payments made at the gateways, their own webhooks lost: the burst below is all Medusa gets.
  const secpaid = []
  for (let i = 0; i < PAYMENTS_PER_GATEWAY; i++) secpaid.push(await secPaidCheckout(api, fixture))
  await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: PAYMENTS_PER_GATEWAY })
  for (const p of secpaid) await control.secpaidPay(p.payId)
  const payin = []
  for (let i = 0; i < PAYMENTS_PER_GATEWAY; i++) {
    const cart = await createCartReadyForPayment(api, fixture, { currency: "usd" })
    const { session } = await startPaymentSession(api, fixture, cart.id, "pp_payin_payin")
    payin.push({ cartId: cart.id as string, orderId: session.data.payin_order_id as string })
  }
  await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: PAYMENTS_PER_GATEWAY })
  for (const p of payin) await control.payinTransfer(p.orderId, { amount: "32.25" })
  await control.webhookBehaviour({ gateway: "payin", mode: "normal" })

  const formats = ["form", "json-flat", "json-nested"] as const
  const burst: Promise<{ deliveries: Array<{ status?: number }> }>[] = []
  for (let copy = 0; copy < COPIES; copy++) {
    for (const p of secpaid) {
      burst.push(control.secpaidSendWebhook({ payId: p.payId, status: "success", to: `${base}/hooks/secpaid`, format: formats[copy % 3] }))
    }
    for (const p of payin) {
      burst.push(control.payinSendWebhook({ orderId: p.orderId, type: "order.completed", variant: "valid", to: `${base}/hooks/payin` }))
    }
  }
  const answers = (await Promise.all(burst)).flatMap((r) => r.deliveries.map((d) => d.status))
  expect(answers).toHaveLength(COPIES * PAYMENTS_PER_GATEWAY * 2)
  expect(answers.every((s) => s === 200)).toBe(true)

  const carts = [...secpaid.map((p) => p.cartId), ...payin.map((p) => p.cartId)]
  await waitFor(
    async () => {
      for (const cartId of carts) if ((await ordersForCart(databaseUrl, cartId)).length === 0) return false
      return true
    },
    { timeoutMs: 120_000, intervalMs: 500, what: "an order for every paid cart" }
  )
  // Let any straggling duplicate finish before counting.
  await waitFor(async () => (await inboxEvents(databaseUrl)).every((e) => e.status === "processed"), {
    timeoutMs: 60_000,
    what: "every inbox event processed",
  })

  for (const cartId of carts) {
    expect({ cartId, orders: (await ordersForCart(databaseUrl, cartId)).length }).toEqual({ cartId, orders: 1 })
    expect({ cartId, captured: await capturedPaymentsForCart(databaseUrl, cartId) }).toEqual({ cartId, captured: 1 })
  }
  const totalOrders = await withDb(databaseUrl, async (db) => (await db.query(`SELECT count(*)::int AS n FROM "order"`)).rows[0].n)
  expect(totalOrders).toBe(carts.length)

  const events = await inboxEvents(databaseUrl)
  expect(events).toHaveLength(carts.length)
  expect(events.every((e) => e.outcome === "order_created")).toBe(true)
  const verdicts = await deliveryVerdicts(databaseUrl)
  expect(verdicts.filter((v) => v === "accepted")).toHaveLength(carts.length)
  // Duplicates beyond the delivery log's hourly allowance per source are counted in memory and written once
  // their minute has closed, so only some are in the table yet; none may be more than were sent.
  const duplicates = verdicts.filter((v) => v === "duplicate").length
  expect(duplicates).toBeGreaterThan(0)
  expect(duplicates).toBeLessThanOrEqual(carts.length * (COPIES - 1))
  // The server only stores; the worker processes.
  expect(server.output()).not.toMatch(/webhook event .* processed/)
  expect(worker.output()).toMatch(/webhook event .* processed: order_created/)
})
