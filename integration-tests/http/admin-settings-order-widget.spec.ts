import { medusaSuite } from "../helpers/medusa-runner"
import type { AxiosRequestConfig } from "axios"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, inboxUrl, paySecPaidLinkSilently, secPaidCheckout, sendSecPaidWebhook, waitForCapturedOrder, waitForWebhookEvent } from "./inbox-helpers"
import { payInCheckout, sandbox } from "./payin-helpers"

jest.setTimeout(180_000)

/**
 * The order page widget's API: gateway, reference, verification, last webhook,
 * received amount, flags, and "Re-verify now" asking the gateway again.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    let admin: AxiosRequestConfig
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin") }])
      fixture = await seedStore(getContainer())
      admin = await adminHeaders(api, getContainer())
    })

    it("PayIn: shows the order id, captured verification, the processed webhook and the received amount; re-verify asks PayIn", async () => {
      const container = getContainer()
      const { cartId, orderId: payinOrderId, sessionId } = await payInCheckout(api, fixture)
      await control.payinTransfer(payinOrderId, { amount: "32.25" })
      const order = await waitForCapturedOrder(container, cartId)
      await waitForWebhookEvent(container, { gateway: "payin" }, (e) => e.status === "processed")

      const { data } = await api.get(`/admin/payment-gateways/orders/${order.id}`, admin)
      expect(data.payment).toMatchObject({
        order_id: order.id,
        gateway: "payin",
        provider_id: "pp_payin_payin",
        session_id: sessionId,
        reference: payinOrderId,
        currency_code: "usd",
        verification: { state: "captured" },
        last_webhook: { status: "processed", source: "webhook" },
        flags: [],
      })
      expect(data.payment.received_amount).toMatch(/^32\.25/)

      // A flag the merchant must look at (here recorded directly, as the inbox processing does) shows on the order.
      await inbox(container).flagPayment({ gateway: "payin", reference: payinOrderId, kind: "amount_mismatch", orderId: order.id, details: { expected: "32.25" } })
      const flagged = await api.get(`/admin/payment-gateways/orders/${order.id}`, admin)
      expect(flagged.data.payment.flags).toEqual([expect.objectContaining({ kind: "amount_mismatch", source: "inbox", resolved_at: null })])

      const lookupsBefore = (await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })).length
      const again = await api.post(`/admin/payment-gateways/orders/${order.id}/reverify`, {}, admin)
      expect(again.data.check).toMatchObject({ ok: true, status: "captured", reconciled: false })
      expect(again.data.payment.verification.state).toBe("captured")
      const lookups = await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })
      expect(lookups.length).toBe(lookupsBefore + 1)
      expect(lookups[lookups.length - 1].path).toContain(payinOrderId)
    })

    it("SecPaid: the link id, the webhook that reached the inbox and the paid amount", async () => {
      const container = getContainer()
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)
      await sendSecPaidWebhook(payId, "success")
      const order = await waitForCapturedOrder(container, cartId)
      await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:success` }, (e) => e.status === "processed")

      const { data } = await api.get(`/admin/payment-gateways/orders/${order.id}`, admin)
      expect(data.payment).toMatchObject({
        gateway: "secpaid",
        reference: payId,
        amount: "30.00",
        verification: { state: "captured" },
        last_webhook: { event_type: "success", status: "processed", outcome: "order_created" },
      })
      expect(data.payment.payment_url).toContain("/secpaid/payment?link_id=")

      const again = await api.post(`/admin/payment-gateways/orders/${order.id}/reverify`, {}, admin)
      expect(again.data.check).toMatchObject({ ok: true, reconciled: false })
      expect(["captured", "authorized"]).toContain(again.data.check.status)
    })

    it("answers 404 for an unknown order", async () => {
      const res = await api.get(`/admin/payment-gateways/orders/order_does_not_exist`, { ...admin, validateStatus: () => true })
      expect(res.status).toBe(404)
      const post = await api.post(`/admin/payment-gateways/orders/order_does_not_exist/reverify`, {}, { ...admin, validateStatus: () => true })
      expect(post.status).toBe(404)
    })
  },
})
