import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaSuite } from "../helpers/medusa-runner"
import type PaymentGatewaysModuleService from "../../src/modules/payment-gateways/service"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../src/modules/payment-gateways/receive-webhook"
import { secPaidBudgetKey } from "../../src/providers/secpaid/client"
import { reconcileGatewayPayments } from "../../src/workflows/reconcile-gateway-payments"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, inboxUrl, paySecPaidLinkSilently, secPaidCheckout, waitForCapturedOrder } from "./inbox-helpers"
import { countOrders, orderForCart, payInCheckout, paymentSession, sandbox } from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * Reconciliation against the sandbox: payments whose webhooks were dropped are
 * found by batch list calls and become orders through the inbox; abandoned SecPaid
 * links are deleted. The job's logic is called directly (the job runs it every minute).
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin") }])
      fixture = await seedStore(getContainer())
    })

    it("SecPaid: a payment whose webhook the sandbox dropped becomes an order through reconciliation, once", async () => {
      const container = getContainer()
      const { cartId, payId, sessionId } = await secPaidCheckout(api, fixture)
      const other = await secPaidCheckout(api, fixture) // still unpaid: stays pending, untouched
      const paid = await paySecPaidLinkSilently(payId)
      expect(paid.deliveries.every((d) => d.error?.includes("dropped"))).toBe(true)
      expect(await orderForCart(container, cartId)).toBeUndefined()

      const before = (await control.requests({ gateway: "secpaid" })).length
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      const calls = (await control.requests({ gateway: "secpaid" })).slice(before)
      expect(report.secpaid).toMatchObject({ pending: 2, listCalls: 1, paidFound: 1, ordersQueued: 1, linksDeleted: 0 })
      // One batch list call for both pending links; the other calls are the normal
      // per-payment verification of the one paid link (webhook action + authorization).
      const batch = calls.filter((c) => JSON.stringify(c.body ?? "").includes("since"))
      expect(batch).toHaveLength(1)
      for (const c of calls.filter((c) => !batch.includes(c))) expect(JSON.stringify(c.body)).toContain(payId)

      const order = await waitForCapturedOrder(container, cartId)
      const [event] = await inbox(container).listWebhookEvents({ source: "reconciliation" })
      expect(event).toMatchObject({ status: "processed", outcome: "order_created", order_id: order.id, session_id: sessionId })
      expect((await paymentSession(container, other.sessionId)).status).toBe("pending")

      // A second run finds nothing new and creates nothing.
      const again = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(again.secpaid).toMatchObject({ pending: 1, paidFound: 0, ordersQueued: 0 })
      expect(await countOrders(container)).toBe(1)
    })

    it("SecPaid: links abandoned longer than the TTL are deleted at SecPaid and their sessions cancelled", async () => {
      const container = getContainer()
      const { payId, sessionId } = await secPaidCheckout(api, fixture)
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0, abandonedLinkTtlMs: 0 })
      expect(report.secpaid).toMatchObject({ pending: 1, paidFound: 0, linksDeleted: 1 })
      expect((await control.secpaidLink(payId)).status).toBe("Deleted")
      expect((await paymentSession(container, sessionId)).status).toBe("canceled")
    })

    it("PayIn: a completed order whose webhook was dropped becomes an order through reconciliation", async () => {
      const container = getContainer()
      const paid = await payInCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(paid.orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })
      expect(await orderForCart(container, paid.cartId)).toBeUndefined()

      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(report.payin).toMatchObject({ pending: 1, paidFound: 1, eventsQueued: 1 })
      await waitForCapturedOrder(container, paid.cartId)
      expect(await countOrders(container)).toBe(1)
    })

    it("SecPaid's spent request budget postpones only SecPaid's part: PayIn's lost webhook is still found, SecPaid's on the next run", async () => {
      const container = getContainer()
      const secpaid = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(secpaid.payId)
      const payin = await payInCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(payin.orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })

      // Every one of the store's 60 SecPaid requests of this minute is spent (shoppers, say).
      const slots = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY).requestSlotStore()
      const key = secPaidBudgetKey(process.env.SECPAID_API_KEY!)
      let taken = 0
      while (taken <= 60 && (await slots.take(key, { limit: 60, windowMs: 60_000, reserve: 0 })).taken) taken++
      expect(taken).toBeGreaterThan(50) // the checkout above spent the rest

      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(report.secpaid.unfinished).toMatch(/60 requests a minute/)
      expect(report.secpaid.listCalls).toBe(0)
      expect(report.payin).toMatchObject({ pending: 1, paidFound: 1, eventsQueued: 1 })
      expect(report.payin.unfinished).toBeUndefined()
      await waitForCapturedOrder(container, payin.cartId)
      expect(await orderForCart(container, secpaid.cartId)).toBeUndefined()

      // A minute later the budget is free again (here: the used slots are forgotten).
      await container.resolve(ContainerRegistrationKeys.PG_CONNECTION).raw("delete from payment_gateway_rate_slot")
      const next = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(next.secpaid).toMatchObject({ listCalls: 1, paidFound: 1, ordersQueued: 1 })
      expect(next.secpaid.unfinished).toBeUndefined()
      await waitForCapturedOrder(container, secpaid.cartId)
      expect(await countOrders(container)).toBe(2)
    })
  },
})
