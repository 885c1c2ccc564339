import { randomUUID } from "node:crypto"
import { medusaSuite } from "../helpers/medusa-runner"
import { Modules } from "@medusajs/framework/utils"
import { startSandbox, type RunningSandbox } from "../../sandbox/server"
import { SandboxControl } from "../../sandbox/control-client"
import type { PayInOrder as SandboxPayInOrder } from "../../sandbox/payin/state"
import { reconcileGatewayPayments } from "../../src/workflows/reconcile-gateway-payments"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, inboxUrl, waitForCapturedOrder } from "./inbox-helpers"
import { orderForCart, payInCheckout } from "./payin-helpers"

jest.setTimeout(300_000)

/**
 * 250 pending PayIn payments verified in ⌈250/100⌉ list calls at most.
 *
 * Own sandbox (its state is written directly): 248 pending PayIn orders, each with its
 * pending Medusa session, plus two real checkouts paid with their webhooks dropped.
 * PayIn also holds 150 unrelated completed orders created in the window (the listing
 * pages past them) and 300 older ones (left out by `createdAfter`). The verification
 * path is the real one: the plugin's reconciliation over HTTP, then the inbox.
 */
const PENDING = 250
const UNRELATED_IN_WINDOW = 150
const UNRELATED_OLD = 300

let own: RunningSandbox
const sharedSandboxUrl = process.env.SANDBOX_URL

beforeAll(async () => {
  own = await startSandbox({ port: 0, retryDelaysMs: [100], warn: () => undefined })
  // medusa-config.ts reads SANDBOX_URL when the runner loads it (in its own beforeAll, after this one).
  process.env.SANDBOX_URL = own.url
})

afterAll(async () => {
  process.env.SANDBOX_URL = sharedSandboxUrl
  await own?.close()
})

function sandboxOrder(over: Partial<SandboxPayInOrder>, createdAt: Date): SandboxPayInOrder {
  const id = randomUUID()
  const at = createdAt.toISOString()
  return {
    id,
    order_reference: `other-${id}`,
    amount: "32.25",
    token: "USDC",
    chain: "ethereum-sepolia",
    address: `0x${id.replace(/-/g, "")}`,
    required_confirmations: 3,
    status: "pending",
    created_at: at,
    payment_window_ends_at: new Date(createdAt.getTime() + 10 * 60_000).toISOString(),
    grace_period_ends_at: new Date(createdAt.getTime() + 15 * 60_000).toISOString(),
    first_transfer_detected_at: null,
    completed_at: null,
    expired_at: null,
    confirmed_received: "0",
    metadata: null,
    success_url: null,
    cancel_url: null,
    url: `${own.url}/payin/pay/${id}`,
    transfers: [],
    ...over,
  }
}

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture

    beforeEach(async () => {
      fixture = await seedStore(getContainer())
    })

    it(`reconciles ${PENDING} pending PayIn payments in at most ⌈${PENDING}/100⌉ list calls and turns the paid ones into orders`, async () => {
      const container = getContainer()
      const control = new SandboxControl(own.url)
      const payin = own.context.payin
      payin.config.addressPoolSize = 10_000
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin") }])
      const now = own.context.clock.now()

      // Two real checkouts, paid in full, whose webhooks are lost.
      const paidCheckouts = [await payInCheckout(api, fixture), await payInCheckout(api, fixture)]
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 100 })
      for (const c of paidCheckouts) await control.payinTransfer(c.orderId, { amount: "32.25" })
      for (const c of paidCheckouts) expect(await orderForCart(container, c.cartId)).toBeUndefined()

      // 248 more pending PayIn orders, each with its pending Medusa session.
      const paymentModule = container.resolve(Modules.PAYMENT) as any
      const [collection] = await paymentModule.createPaymentCollections([{ currency_code: "usd", amount: 32.25 }])
      const sessions: any[] = []
      for (let i = 0; i < PENDING - paidCheckouts.length; i++) {
        const order = sandboxOrder({ order_reference: `bulk-${i}` }, new Date(now))
        payin.orders.push(order)
        sessions.push({
          payment_collection_id: collection.id,
          provider_id: "pp_payin_payin",
          currency_code: "usd",
          amount: 32.25,
          status: "pending",
          data: { payin_order_id: order.id, amount: "32.25", token: "USDC" },
        })
      }
      await paymentModule.createPaymentSessions(sessions)

      // Orders of other, long-processed payments: in the window (paged past) and older (filtered out).
      const completed = { status: "completed" as const, confirmed_received: "32.25" }
      for (let i = 0; i < UNRELATED_IN_WINDOW; i++) payin.orders.push(sandboxOrder({ ...completed, completed_at: new Date(now).toISOString() }, new Date(now)))
      for (let i = 0; i < UNRELATED_OLD; i++) payin.orders.push(sandboxOrder({ ...completed }, new Date(now - 2 * 86_400_000)))

      const before = (await control.requests({ gateway: "payin" })).length
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      for (const c of paidCheckouts) await waitForCapturedOrder(container, c.cartId)
      const calls = (await control.requests({ gateway: "payin" })).slice(before)
      const listCalls = calls.filter((c) => c.endpoint === "GET /orders")
      const verificationCalls = calls.filter((c) => c.endpoint !== "GET /orders")

      expect(report.payin).toMatchObject({ pending: PENDING, paidFound: 2, closedFound: 0, eventsQueued: 2 })
      // 152 orders ended in the window → 2 pages of 100.
      expect(report.payin.listCalls).toBe(2)
      expect(listCalls.length).toBe(report.payin.listCalls)
      expect(listCalls.length).toBeLessThanOrEqual(Math.ceil(PENDING / 100))
      // Every other call verifies one of the two paid orders.
      const paidIds = paidCheckouts.map((c) => c.orderId)
      for (const c of verificationCalls) expect(paidIds.some((id) => c.endpoint === "GET /orders/:id" && JSON.stringify(c).includes(id))).toBe(true)
      expect(calls.length).toBeLessThanOrEqual(Math.ceil(PENDING / 100) + verificationCalls.length)
      console.log(
        `reconcile-payin-batch: ${PENDING} pending PayIn payments, ${PENDING + UNRELATED_IN_WINDOW + UNRELATED_OLD} orders at PayIn → ${listCalls.length} list calls + ${verificationCalls.length} verification calls for the 2 paid = ${calls.length} gateway calls (${calls
          .map((c) => c.endpoint)
          .join(", ")})`
      )

      const events = await inbox(container).listWebhookEvents({ source: "reconciliation" })
      expect(events.map((e) => e.outcome).sort()).toEqual(["order_created", "order_created"])
    })
  },
})
