import { MathBN } from "@medusajs/framework/utils"
import { medusaSuite } from "../helpers/medusa-runner"
import { completeCart, createCartReadyForPayment } from "../helpers/checkout"
import { seedStore, storeHeaders, type StoreFixture } from "../helpers/store-fixture"
import {
  countOrders,
  isCaptured,
  coreWebhookUrl,
  orderForCart,
  payInCheckout,
  paymentSession,
  sandbox,
  settleEarlierWebhooks,
  waitForOrder,
} from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * PayIn checkout over HTTP against the sandbox: the storefront starts a PayIn session,
 * the sandbox plays the customer's wallet and PayIn's webhooks (sent to Medusa's core
 * route /hooks/payment/payin_payin), and the browser comes back to the return route.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.payinSetWebhookEndpoints([{ url: coreWebhookUrl() }])
      fixture = await seedStore(getContainer())
    })

    it("starts a PayIn order for the session with the exact amount and returns payment details to the storefront", async () => {
      const { sessionId, orderId, session } = await payInCheckout(api, fixture)
      expect(session.data).toMatchObject({
        session_id: sessionId,
        payin_order_id: orderId,
        amount: "32.25",
        token: "USDC",
        chain_id: "ethereum-sepolia",
        payment_url: expect.stringContaining(`/payin/pay/${orderId}`),
        address: expect.stringMatching(/^0x[0-9a-f]{40}$/),
        expires_at: expect.any(String),
      })
      expect(JSON.stringify(session.data)).not.toMatch(/pk_test|whsec_/)
      const order = await control.payinOrder(orderId)
      expect(order).toMatchObject({
        order_reference: sessionId,
        amount: "32.25",
        token: "USDC",
        chain: "ethereum-sepolia",
        metadata: { session_id: sessionId },
        success_url: `${process.env.MEDUSA_BACKEND_URL}/hooks/payin/return/${sessionId}`,
      })
    })

    it("an exhausted PayIn address pool gives the shopper a clear try-again error and creates no session", async () => {
      await control.payinConfigure({ addressPoolSize: 0 })
      const cart = await createCartReadyForPayment(api, fixture, { currency: "usd" })
      const h = { ...storeHeaders(fixture), validateStatus: () => true }
      const { data: pc } = await api.post("/store/payment-collections", { cart_id: cart.id }, h)
      const res = await api.post(`/store/payment-collections/${pc.payment_collection.id}/payment-sessions`, { provider_id: "pp_payin_payin" }, h)
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.data.message).toMatch(/PayIn has no free payment address right now; please try again in a few minutes/)
      expect(res.data.message).not.toMatch(/pk_test|whsec_/)
      expect((await control.requests({ gateway: "payin", endpoint: "POST /orders" })).map((r) => r.status)).toEqual([409])
    })

    it("full payment → the webhook completes the cart into exactly one captured order; the return page agrees", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const { order: paid, deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
      expect(paid.status).toBe("completed")
      expect(deliveries.map((d) => d.status)).toEqual([200])

      const order = await waitForOrder(container, cartId, isCaptured)
      expect(MathBN.convert(order.total).toString()).toBe("32.25")
      expect(order.payment_collections[0].payments).toHaveLength(1)

      const back = await api.get(`/hooks/payin/return/${sessionId}?status=completed`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment paid")
      expect(back.data).toContain(order.id)
      expect(await countOrders(container)).toBe(1)

      // The storefront's own completion is idempotent with the webhook's.
      const again = await completeCart(api, fixture, cartId)
      expect(again.body.order?.id ?? again.body.id).toBeDefined()
      expect(await countOrders(container)).toBe(1)
    })

    it("the browser return places the order when the webhook was lost", async () => {
      const container = getContainer()
      await control.payinSetWebhookEndpoints([])
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      await control.payinTransfer(orderId, { amount: "32.25" })
      expect(await orderForCart(container, cartId)).toBeUndefined()

      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment paid")
      const order = await orderForCart(container, cartId)
      expect(isCaptured(order)).toBe(true)
    })

    it("query parameters on the return URL are not evidence: an unpaid order stays unpaid", async () => {
      const container = getContainer()
      const { cartId, sessionId } = await payInCheckout(api, fixture)
      const back = await api.get(`/hooks/payin/return/${sessionId}?status=completed&amount=32.25&completed_at=2026-01-01`, {
        maxRedirects: 0,
        validateStatus: () => true,
      })
      expect(back.data).toContain("Payment pending")
      expect(await orderForCart(container, cartId)).toBeUndefined()
    })

    it("partial payment then expiry → no order, and the session is flagged with the amount received", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const partial = await control.payinTransfer(orderId, { amount: "10.5" })
      expect(partial.order.status).toBe("pending")
      const { deliveries } = await control.advanceClock(16 * 60)
      expect(deliveries.filter((d) => d.eventId === `evt_order_expired_${orderId}`).map((d) => d.status)).toEqual([200])
      await settleEarlierWebhooks(api, container, fixture)
      expect(await orderForCart(container, cartId)).toBeUndefined()

      // The shopper comes back from PayIn's cancel URL, then tries to complete the cart.
      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.data).toContain("Payment failed")
      const completion = await completeCart(api, fixture, cartId)
      expect(completion.body.type).not.toBe("order")
      expect(await orderForCart(container, cartId)).toBeUndefined()

      const stored = await paymentSession(container, sessionId)
      expect(stored.status).toBe("error")
      expect(stored.data).toMatchObject({ payin_status: "expired", confirmed_received: "10.5", flags: ["partial_payment"] })
    })

    it("overpayment → one order, the overpaid amount recorded on the payment", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      await control.payinTransfer(orderId, { amount: "40" })
      const order = await waitForOrder(container, cartId, isCaptured)
      expect(order.payment_collections[0].payments[0].data).toMatchObject({
        confirmed_received: "40",
        overpaid_amount: "7.75",
        flags: ["overpaid"],
      })
      expect(await countOrders(container)).toBe(1)
    })

    it("forged, unsigned, wrong-secret and replayed webhooks are rejected without asking PayIn or changing anything", async () => {
      const container = getContainer()
      const target = await payInCheckout(api, fixture)
      for (const variant of ["forged", "unsigned", "wrong-secret", "replayed"] as const) {
        const { deliveries } = await control.payinSendWebhook({ orderId: target.orderId, type: "order.completed", variant, to: coreWebhookUrl() })
        // Medusa's core route answers 200 before anything is checked; the provider decides.
        expect(deliveries.map((d) => d.status)).toEqual([200])
      }
      await settleEarlierWebhooks(api, container, fixture)

      expect(await orderForCart(container, target.cartId)).toBeUndefined()
      expect((await paymentSession(container, target.sessionId)).status).toBe("pending")
      const fetches = await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })
      expect(fetches.filter((r) => JSON.stringify(r).includes(target.orderId))).toHaveLength(0)
      expect(await countOrders(container)).toBe(1) // the sentinel's
    })

    it("a duplicated delivery of order.completed → one order", async () => {
      const container = getContainer()
      await control.webhookBehaviour({ gateway: "payin", mode: "duplicate", count: 1 })
      const { cartId, orderId } = await payInCheckout(api, fixture)
      const { deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
      expect(deliveries.filter((d) => d.eventId === `evt_order_completed_${orderId}`).length).toBeGreaterThanOrEqual(2)
      await waitForOrder(container, cartId)
      await settleEarlierWebhooks(api, container, fixture)
      expect(await countOrders(container)).toBe(2) // this cart's and the sentinel's
      const order = await orderForCart(container, cartId)
      expect(order.payment_collections[0].payments).toHaveLength(1)
      expect(order.payment_collections[0].payments[0].captures).toHaveLength(1)
    })

    it("order.expired after order.completed is ignored: the order stays paid", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      await control.payinTransfer(orderId, { amount: "32.25" })
      const paid = await waitForOrder(container, cartId, isCaptured)
      await control.payinSendWebhook({ orderId, type: "order.expired", variant: "valid", to: coreWebhookUrl() })
      await settleEarlierWebhooks(api, container, fixture)
      const after = await orderForCart(container, cartId)
      expect(after.status).toBe(paid.status)
      expect(isCaptured(after)).toBe(true)
    })
  },
})
