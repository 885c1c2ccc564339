import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaSuite } from "../helpers/medusa-runner"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inboxUrl, paySecPaidLinkSilently, secPaidCheckout, waitForCapturedOrder } from "./inbox-helpers"
import { coreWebhookUrl, payInCheckout, sandbox } from "./payin-helpers"

// Five awaited payments per gateway and route take minutes, and longer when other suites run beside it.
jest.setTimeout(900_000)

/**
 * Prints the median time from "webhook sent" to "order created" through the plugin's
 * routes and through Medusa's core route, measured in the same run on the same app.
 * Figures only: nothing here asserts a duration (machines differ); the test asserts
 * that every payment became an order.
 */
const RUNS = 5

async function orderCreatedAt(container: MedusaContainer, orderId: string): Promise<number> {
  const query = container.resolve(ContainerRegistrationKeys.QUERY)
  const { data } = await query.graph({ entity: "order", fields: ["id", "created_at"], filters: { id: orderId } })
  return new Date(data[0].created_at).getTime()
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 ? s[mid] : Math.round((s[mid - 1] + s[mid]) / 2)
}

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      fixture = await seedStore(getContainer())
    })

    it(`measures webhook → order latency, ${RUNS} payments per gateway and route`, async () => {
      const container = getContainer()
      const routes = {
        "plugin /hooks/<gateway>": { secpaid: inboxUrl("secpaid"), payin: inboxUrl("payin") },
        "core /hooks/payment/<provider>": { secpaid: coreWebhookUrl("secpaid_secpaid"), payin: coreWebhookUrl("payin_payin") },
      }
      const figures: Record<string, Record<string, number[]>> = {}

      for (const [route, urls] of Object.entries(routes)) {
        figures[route] = { secpaid: [], payin: [] }
        for (let i = 0; i < RUNS; i++) {
          const s = await secPaidCheckout(api, fixture)
          await paySecPaidLinkSilently(s.payId)
          const sentAt = Date.now()
          await control.secpaidSendWebhook({ payId: s.payId, status: "success", to: urls.secpaid })
          const sOrder = await waitForCapturedOrder(container, s.cartId)
          figures[route].secpaid.push((await orderCreatedAt(container, sOrder.id)) - sentAt)

          const p = await payInCheckout(api, fixture)
          await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
          await control.payinTransfer(p.orderId, { amount: "32.25" })
          await control.webhookBehaviour({ gateway: "payin", mode: "normal" })
          const pSentAt = Date.now()
          await control.payinSendWebhook({ orderId: p.orderId, type: "order.completed", variant: "valid", to: urls.payin })
          const pOrder = await waitForCapturedOrder(container, p.cartId)
          figures[route].payin.push((await orderCreatedAt(container, pOrder.id)) - pSentAt)
        }
      }

      const lines = Object.entries(figures).map(
        ([route, f]) =>
          `  ${route.padEnd(32)} SecPaid median ${String(median(f.secpaid)).padStart(5)} ms (${f.secpaid.join(", ")})   PayIn median ${String(
            median(f.payin)
          ).padStart(5)} ms (${f.payin.join(", ")})`
      )
      console.log(`Webhook received → order created, ${RUNS} payments each, same run:\n${lines.join("\n")}`)
      for (const f of Object.values(figures)) {
        expect(f.secpaid).toHaveLength(RUNS)
        expect(f.payin).toHaveLength(RUNS)
      }
    })
  },
})
