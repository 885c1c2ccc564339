import { medusaSuite } from "../helpers/medusa-runner"
import { Modules } from "@medusajs/framework/utils"
import { startSandbox, type RunningSandbox } from "../../sandbox/server"
import { SandboxControl } from "../../sandbox/control-client"
import { secPaidTime } from "../../sandbox/secpaid/state"
import { reconcileGatewayPayments } from "../../src/workflows/reconcile-gateway-payments"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, paySecPaidLinkSilently, secPaidCheckout, waitForCapturedOrder } from "./inbox-helpers"

jest.setTimeout(300_000)

/**
 * 5,000 pending SecPaid payments verified in a handful of gateway calls.
 *
 * This suite runs its own sandbox (so it can hold 5,000 links without 5,000 rate-limited
 * createLink calls): the links, their Medusa sessions and 2,500 unrelated settled
 * transactions are written directly into the sandbox state and the database. Two of
 * the pending payments are real checkouts, paid with their webhooks dropped. The
 * verification path is the real one: the plugin's reconciliation over HTTP.
 */
const PENDING = 5000
const UNRELATED_SETTLED = 2500

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

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture

    beforeEach(async () => {
      fixture = await seedStore(getContainer())
    })

    it(`reconciles ${PENDING} pending SecPaid payments in at most 10 gateway calls and turns the paid ones into orders`, async () => {
      const container = getContainer()
      const control = new SandboxControl(own.url)
      const secpaid = own.context.secpaid
      const now = own.context.clock.now()

      // Two real checkouts whose payment webhooks are lost.
      const paidCheckouts = [await secPaidCheckout(api, fixture), await secPaidCheckout(api, fixture)]
      for (const c of paidCheckouts) await paySecPaidLinkSilently(c.payId)

      // 4,998 more pending links at SecPaid, each with its pending Medusa session.
      const paymentModule = container.resolve(Modules.PAYMENT) as any
      const [collection] = await paymentModule.createPaymentCollections([{ currency_code: "eur", amount: 30 }])
      const sessions: any[] = []
      for (let i = 0; i < PENDING - paidCheckouts.length; i++) {
        const id = secpaid.nextLinkId++
        secpaid.links.push({
          id,
          environment: "development",
          amount: "30.00",
          servicefee: "0.00",
          recipient_note: `medusa:bulk-${i}`,
          callback_urls: [],
          payment_endpoints: [],
          cancellable: true,
          bank_transfer: false,
          is_qr_link: false,
          is_encryption: false,
          is_split_link: false,
          status: "Unused",
          created_at: secPaidTime(now),
        })
        sessions.push({
          payment_collection_id: collection.id,
          provider_id: "pp_secpaid_secpaid",
          currency_code: "eur",
          amount: 30,
          status: "pending",
          data: { pay_id: String(id), amount: "30.00", currency: "eur" },
        })
      }
      for (let i = 0; i < sessions.length; i += 1000) await paymentModule.createPaymentSessions(sessions.slice(i, i + 1000))

      // Settled payments of other, long-processed links: the list must page past them.
      for (let i = 0; i < UNRELATED_SETTLED; i++) {
        secpaid.transactions.push({
          environment: "development",
          pay_id: String(900000 + i),
          transaction_id: `bulk-${i}`,
          amount: "12.00",
          net_amount: "11.50",
          service_fee: "0.50",
          service_fee_psp: "0.00",
          status: "Success",
          recipient_note: `other-${i}`,
          payment_method: "card",
          is_refund: "No",
          is_dispute: "No",
          is_split_link: "No",
          transaction_type: "Basic",
          created_at: secPaidTime(now),
        })
      }

      const before = (await control.requests({ gateway: "secpaid" })).length
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      const calls = (await control.requests({ gateway: "secpaid" })).slice(before)

      expect(report.secpaid).toMatchObject({ pending: PENDING, paidFound: 2, ordersQueued: 2, linksDeleted: 0 })
      // 2,502 transactions in the window → 3 pages of 1000.
      expect(report.secpaid.listCalls).toBe(3)
      expect(calls.length).toBeLessThanOrEqual(10)
      console.log(
        `reconcile-batch: ${PENDING} pending SecPaid payments, ${UNRELATED_SETTLED + 2} transactions at SecPaid → ${report.secpaid.listCalls} list calls, ${calls.length} gateway calls in total (${calls
          .map((c) => c.endpoint)
          .join(", ")})`
      )

      for (const c of paidCheckouts) await waitForCapturedOrder(container, c.cartId)
      const events = await inbox(container).listWebhookEvents({ source: "reconciliation" })
      expect(events.map((e) => e.outcome).sort()).toEqual(["order_created", "order_created"])
    })
  },
})
