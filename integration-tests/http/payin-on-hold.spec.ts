import { medusaSuite } from "../helpers/medusa-runner"
import { completeCart } from "../helpers/checkout"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox } from "./inbox-helpers"
import { coreWebhookUrl, isCaptured, orderForCart, payInCheckout, paymentSession, sandbox, settleEarlierWebhooks, waitForOrder } from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * `placeOrderBeforeConfirmation`: the cart becomes an order awaiting payment while the
 * PayIn order is still pending (WooCommerce's "on hold"); the webhook captures it once
 * paid; an order that expires with nothing received is cancelled, one that expires
 * with part received stays awaiting payment, flagged `partial_payment`. medusa-config.ts reads the
 * option from the environment when the runner loads it, so it is set for this file only.
 */
const previous = process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION
process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION = "true"
afterAll(() => {
  if (previous === undefined) delete process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION
  else process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION = previous
})

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.payinSetWebhookEndpoints([{ url: coreWebhookUrl() }])
      fixture = await seedStore(getContainer())
    })

    it("places the order awaiting payment, then the webhook captures it", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const completion = await completeCart(api, fixture, cartId)
      expect(completion.status).toBe(200)
      expect(completion.body.type).toBe("order")
      const awaiting = await orderForCart(container, cartId)
      expect(awaiting.id).toBe(completion.body.order.id)
      expect(isCaptured(awaiting)).toBe(false)
      expect((await paymentSession(container, sessionId)).status).toBe("pending_authorization")

      await control.payinTransfer(orderId, { amount: "32.25" })
      const paid = await waitForOrder(container, cartId, isCaptured)
      expect(paid.id).toBe(awaiting.id)
      expect(paid.payment_collections[0].payments).toHaveLength(1)
    })

    it("the browser return with a pending PayIn order places the order awaiting payment", async () => {
      const container = getContainer()
      const { cartId, sessionId } = await payInCheckout(api, fixture)
      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.data).toContain("Payment pending")
      const order = await orderForCart(container, cartId)
      expect(order).toBeDefined()
      expect(isCaptured(order)).toBe(false)
    })

    it("cancels the order awaiting payment when the PayIn order expires unpaid", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const completion = await completeCart(api, fixture, cartId)
      expect(completion.body.type).toBe("order")

      const { deliveries } = await control.advanceClock(16 * 60)
      expect(deliveries.filter((d) => d.eventId === `evt_order_expired_${orderId}`).map((d) => d.status)).toEqual([200])
      await settleEarlierWebhooks(api, container, fixture)

      // PayIn sends the shopper to the cancel URL: the return route verifies the expiry and cancels.
      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.data).toContain("Payment canceled")
      const order = await orderForCart(container, cartId)
      expect(order.status).toBe("canceled")
      expect(isCaptured(order)).toBe(false)
    })
    it("keeps the order awaiting payment and flags it when the PayIn order expires with part of the amount received", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const completion = await completeCart(api, fixture, cartId)
      expect(completion.body.type).toBe("order")

      await control.payinTransfer(orderId, { amount: "16.125" })
      const { deliveries } = await control.advanceClock(16 * 60)
      expect(deliveries.filter((d) => d.eventId === `evt_order_expired_${orderId}`).map((d) => d.status)).toEqual([200])
      await settleEarlierWebhooks(api, container, fixture)

      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.data).not.toContain("Payment canceled")
      const order = await orderForCart(container, cartId)
      expect(order.id).toBe(completion.body.order.id)
      expect(order.status).not.toBe("canceled")
      expect(isCaptured(order)).toBe(false)
      const flags = await inbox(container).listPaymentFlags({ gateway: "payin", reference: orderId })
      expect(flags).toEqual([
        expect.objectContaining({ kind: "partial_payment", order_id: order.id, details: expect.objectContaining({ received: "16.125", expected: "32.25" }) }),
      ])
    })
  },
})
