import axios from "axios"
import { waitFor } from "../helpers/checkout"
import type { StoreFixture } from "../helpers/store-fixture"
import { createDatabase, dropDatabase, freePort, medusaEnv, migrateAndSeed, startMedusa, type MedusaProcess } from "../multi-instance/medusa-process"
import { capturedPaymentsForCart, inboxEvents, ordersForCart } from "../multi-instance/store-db"
import { secPaidCheckout } from "./inbox-helpers"
import { sandbox } from "./payin-helpers"

jest.setTimeout(600_000)

/**
 * kill -9 between "webhook accepted" and "order created": a real `medusa start`
 * process stores the SecPaid webhook and answers 200; its processing is stuck on the
 * gateway check (the sandbox holds the verification call open) when the process is
 * killed with SIGKILL. A restarted process creates the order from the stored event —
 * no new webhook is sent (SecPaid never retries).
 */
const dbName = `inbox_crash_${process.pid}`
let databaseUrl: string
let fixture: StoreFixture
const processes: MedusaProcess[] = []

beforeAll(async () => {
  databaseUrl = await createDatabase(dbName)
  fixture = await migrateAndSeed(databaseUrl)
}, 300_000)

afterAll(async () => {
  for (const p of processes) await p.stop()
  await dropDatabase(dbName)
})

it("an accepted webhook survives kill -9 before processing: after restart the order appears without any new webhook", async () => {
  const control = sandbox()
  await control.reset()
  const port = await freePort()
  const base = `http://localhost:${port}`
  const env = medusaEnv(databaseUrl, {
    MEDUSA_BACKEND_URL: base,
    MEDUSA_WORKER_MODE: "shared",
    // A lock held by a dead process is taken over after 5 s; the inbox poller looks every second.
    PAYMENT_GATEWAYS_PROCESSING_LOCK_MS: "5000",
    PAYMENT_GATEWAYS_INBOX_POLL_MS: "1000",
  })

  const first = await startMedusa(port, env, "first process")
  processes.push(first)
  const api = axios.create({ baseURL: base })
  const { cartId, payId } = await secPaidCheckout(api, fixture)
  await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: 1 })
  await control.secpaidPay(payId)
  await control.webhookBehaviour({ gateway: "secpaid", mode: "normal" })

  // The gateway check of the coming webhook hangs: processing cannot finish.
  await control.injectFault({ gateway: "secpaid", endpoint: "getPayInTransactions", kind: "hang", count: 1 })
  const { deliveries } = await control.secpaidSendWebhook({ payId, status: "success", to: `${base}/hooks/secpaid` })
  expect(deliveries.map((d) => d.status)).toEqual([200])
  await waitFor(
    async () => (await control.requests({ gateway: "secpaid", endpoint: "getPayInTransactions" })).some((r) => JSON.stringify(r.body).includes(payId)),
    { timeoutMs: 20_000, what: "the processing to reach the gateway check" }
  )

  await first.killHard()
  expect(first.child.signalCode).toBe("SIGKILL")
  const [stored] = await inboxEvents(databaseUrl)
  expect(stored).toMatchObject({ event_id: `${payId}:success` })
  expect(["received", "processing"]).toContain(stored.status)
  expect(await ordersForCart(databaseUrl, cartId)).toEqual([])

  await control.clearFaults()
  const webhooksBefore = (await control.deliveries({ gateway: "secpaid" })).length
  const second = await startMedusa(port, env, "restarted process")
  processes.push(second)

  const orders = await waitFor(async () => {
    const ids = await ordersForCart(databaseUrl, cartId)
    return ids.length ? ids : undefined
  }, { timeoutMs: 60_000, intervalMs: 500, what: "the order after the restart" })
  expect(orders).toHaveLength(1)
  expect(await capturedPaymentsForCart(databaseUrl, cartId)).toBe(1)
  // The order is committed a moment before the inbox row records the outcome.
  const processed = await waitFor(async () => (await inboxEvents(databaseUrl)).find((e) => e.status === "processed"), {
    timeoutMs: 30_000,
    what: "the inbox event to be marked processed",
  })
  expect(processed).toMatchObject({ outcome: "order_created" })
  expect(processed.attempts).toBeGreaterThanOrEqual(1)
  expect((await control.deliveries({ gateway: "secpaid" })).length).toBe(webhooksBefore) // no new webhook
  await second.stop()
})
