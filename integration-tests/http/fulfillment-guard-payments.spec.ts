import { medusaSuite } from "../helpers/medusa-runner"
import { Modules } from "@medusajs/framework/utils"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import { completeCart } from "../helpers/checkout"
import { inbox, inboxUrl, isCaptured, paySecPaidLinkSilently, secPaidCheckout, sendSecPaidWebhook, waitForCapturedOrder, waitForWebhookEvent } from "./inbox-helpers"
import { orderForCart, payInCheckout, paymentSession, sandbox } from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * Fulfillment guard over the admin API, plus PayIn orders placed before confirmation
 * (pending authorization): paid later → captured through the inbox; expired with
 * nothing received → the order is cancelled; expired with part received → the order
 * stays awaiting payment, flagged `partial_payment`.
 */
const previousPlaceOrder = process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION
beforeAll(() => {
  // Read by medusa-config.ts when the runner loads it, after this hook.
  process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION = "true"
})
afterAll(() => {
  if (previousPlaceOrder === undefined) delete process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION
  else process.env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION = previousPlaceOrder
})

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin") }])
      fixture = await seedStore(getContainer())
    })

    async function fulfil(orderId: string) {
      const headers = await adminHeaders(api, getContainer())
      const { data } = await api.get(`/admin/orders/${orderId}?fields=id,*items`, headers)
      return api.post(
        `/admin/orders/${orderId}/fulfillments`,
        { items: data.order.items.map((i: any) => ({ id: i.id, quantity: i.quantity })), location_id: fixture.stockLocationId },
        { ...headers, validateStatus: () => true }
      )
    }

    it("PayIn order placed before confirmation: fulfillment refused until paid; the payment is captured through /hooks/payin; then allowed", async () => {
      const container = getContainer()
      const { cartId, orderId: payinOrderId } = await payInCheckout(api, fixture)
      const placed = await completeCart(api, fixture, cartId)
      expect(placed.status).toBe(200)
      const order = await orderForCart(container, cartId)
      expect(order).toBeDefined()
      expect(isCaptured(order)).toBe(false)

      const refused = await fulfil(order.id)
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/cannot be fulfilled: its PayIn payment has not been confirmed yet/)

      await control.payinTransfer(payinOrderId, { amount: "32.25" })
      const paid = await waitForCapturedOrder(container, cartId)
      expect(paid.id).toBe(order.id)
      const event = await waitForWebhookEvent(container, { gateway: "payin" }, (e) => e.status === "processed")
      expect(event.outcome).toBe("payment_captured")

      const allowed = await fulfil(order.id)
      expect(allowed.status).toBe(200)
    })

    it("PayIn order placed before confirmation that expires unpaid: session error/canceled and the order is cancelled", async () => {
      const container = getContainer()
      const { cartId, sessionId } = await payInCheckout(api, fixture)
      expect((await completeCart(api, fixture, cartId)).status).toBe(200)
      const order = await orderForCart(container, cartId)

      await control.advanceClock(3 * 24 * 3600)
      const event = await waitForWebhookEvent(container, { gateway: "payin" }, (e) => e.status === "processed", "the processed expiry event")
      expect(event.outcome).toBe("order_canceled")
      expect((await orderForCart(container, cartId)).status).toBe("canceled")
      expect(["canceled", "error"]).toContain((await paymentSession(container, sessionId)).status)
      expect((await fulfil(order.id)).status).toBe(400)
    })

    it("PayIn order placed before confirmation that expires with part of the amount received: not cancelled, flagged partial_payment", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId: payinOrderId } = await payInCheckout(api, fixture)
      expect((await completeCart(api, fixture, cartId)).status).toBe(200)
      const order = await orderForCart(container, cartId)

      await control.payinTransfer(payinOrderId, { amount: "16.125" })
      await control.advanceClock(3 * 24 * 3600)
      const event = await waitForWebhookEvent(
        container,
        { gateway: "payin" },
        (e) => e.status === "processed" && e.event_type === "order.expired",
        "the processed expiry event"
      )
      expect(event.outcome).toBe("flagged_partial_payment")
      const kept = await orderForCart(container, cartId)
      expect(kept.id).toBe(order.id)
      expect(kept.status).not.toBe("canceled")
      expect(isCaptured(kept)).toBe(false)
      const flags = await inbox(container).listPaymentFlags({ gateway: "payin", reference: payinOrderId })
      expect(flags).toEqual([
        expect.objectContaining({
          kind: "partial_payment",
          session_id: sessionId,
          order_id: order.id,
          details: expect.objectContaining({ received: "16.125", expected: "32.25" }),
        }),
      ])
      expect((await fulfil(order.id)).status).toBe(400)
    })

    it("a captured SecPaid order whose payment the gateway does not confirm cannot be fulfilled; a verified one can", async () => {
      const container = getContainer()
      const verified = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(verified.payId)
      await sendSecPaidWebhook(verified.payId, "success")
      const good = await waitForCapturedOrder(container, verified.cartId)

      // A second order whose Medusa payment claims a link SecPaid never saw paid.
      const tampered = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(tampered.payId)
      await sendSecPaidWebhook(tampered.payId, "success")
      const bad = await waitForCapturedOrder(container, tampered.cartId)
      const unpaid = await secPaidCheckout(api, fixture)
      const paymentModule = container.resolve(Modules.PAYMENT) as any
      const payment = bad.payment_collections[0].payments[0]
      await paymentModule.updatePayments({ id: payment.id, data: { ...payment.data, pay_id: unpaid.payId } })

      const refused = await fulfil(bad.id)
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/SecPaid reports payment .* not paid/)
      expect((await fulfil(good.id)).status).toBe(200)
      expect(await inbox(container).listWebhookEvents({ gateway: "secpaid" })).toHaveLength(2)
    })
  },
})
