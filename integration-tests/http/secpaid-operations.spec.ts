import { medusaSuite } from "../helpers/medusa-runner"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import {
  countOrders,
  followBrowserReturn,
  isCaptured,
  paymentData,
  sandbox,
  secPaidCheckout,
  secPaidProvider,
  waitForOrder,
} from "./secpaid-helpers"

jest.setTimeout(180_000)

/**
 * After checkout and when the network misbehaves: refunds through the admin API
 * (one request per link, approved later by SecPaid), a 429 storm and a lost
 * createLink answer during initiatePayment — each must leave exactly one link.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      fixture = await seedStore(getContainer())
    })

    /** Checkout, pay, come back: a captured order. */
    async function paidOrder() {
      const checkout = await secPaidCheckout(api, fixture)
      const paid = await control.secpaidPay(checkout.payId)
      await followBrowserReturn(api, paid.redirectUrl)
      const order = await waitForOrder(getContainer(), checkout.cartId, isCaptured)
      return { ...checkout, order, payment: order.payment_collections[0].payments[0] }
    }

    const linksOfSession = async (sessionId: string) =>
      (await control.secpaidLinks()).filter((l) => l.recipient_note.includes(sessionId))

    it("partial refund: requested once at SecPaid, a second refund refused before any call, approval visible later", async () => {
      const container = getContainer()
      const { payId, payment } = await paidOrder()
      const headers = await adminHeaders(api, container)

      const res = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 10 }, headers)
      expect(res.status).toBe(200)
      const refundCalls = await control.requests({ gateway: "secpaid", endpoint: "refundPayment" })
      expect(refundCalls.map((r) => r.body)).toEqual([{ pay_id: payId, refund_amount: "10.00", isFullRefund: "false" }])
      expect((await control.secpaidLink(payId)).refund).toMatchObject({ amount: "10.00", status: "Pending" })
      const stored = await paymentData(container, payment.id)
      expect(stored.refund).toMatchObject({ status: "requested", amount: "10.00", full: false, note: "awaiting SecPaid approval" })

      const second = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 5 }, { ...headers, validateStatus: () => true })
      expect(second.status).toBeGreaterThanOrEqual(400)
      expect(JSON.stringify(second.data)).toContain("only one refund request per payment")
      expect(await control.requests({ gateway: "secpaid", endpoint: "refundPayment" })).toHaveLength(1)

      await control.secpaidApproveRefund(payId)
      const { data } = await secPaidProvider(container).retrievePayment({ data: stored })
      expect(data.refund).toMatchObject({ status: "approved", approved_amount: "10.00" })
      expect(data.secpaid_status).toBe("captured")
    })

    it("full refund asks SecPaid for the whole amount with isFullRefund", async () => {
      const { payId, payment } = await paidOrder()
      const headers = await adminHeaders(api, getContainer())
      const res = await api.post(`/admin/payments/${payment.id}/refund`, { amount: 30 }, headers)
      expect(res.status).toBe(200)
      const calls = await control.requests({ gateway: "secpaid", endpoint: "refundPayment" })
      expect(calls.map((r) => r.body)).toEqual([{ pay_id: payId, refund_amount: "30.00", isFullRefund: "true" }])
      expect((await paymentData(getContainer(), payment.id)).refund).toMatchObject({ status: "requested", amount: "30.00", full: true })
      await control.secpaidApproveRefund(payId)
      expect((await control.secpaidLink(payId)).status).toBe("Refunded")
    })

    it("a 429 storm during initiate: backoff, one link, checkout still succeeds", async () => {
      await control.injectFault({ gateway: "secpaid", endpoint: "createLink", kind: "429", count: 3, retryAfterSeconds: 1 })
      const { cartId, sessionId, payId } = await secPaidCheckout(api, fixture)
      const createCalls = await control.requests({ gateway: "secpaid", endpoint: "createLink" })
      expect(createCalls.map((r) => r.status)).toEqual([429, 429, 429, 200])
      expect(await linksOfSession(sessionId)).toHaveLength(1)

      const paid = await control.secpaidPay(payId)
      expect((await followBrowserReturn(api, paid.redirectUrl)).data).toContain("Payment paid")
      await waitForOrder(getContainer(), cartId)
      expect(await countOrders(getContainer())).toBe(1)
    })

    it("createLink answer lost after SecPaid created the link: the link is found by its note, not created twice", async () => {
      await control.injectFault({ gateway: "secpaid", endpoint: "createLink", kind: "hang", count: 1, delayMs: 1500, afterProcessing: true })
      const { cartId, sessionId, payId } = await secPaidCheckout(api, fixture)
      expect((await control.requests({ gateway: "secpaid", endpoint: "createLink" })).map((r) => r.status)).toEqual([0])
      const links = await linksOfSession(sessionId)
      expect(links.map((l) => l.pay_id)).toEqual([payId])

      const paid = await control.secpaidPay(payId)
      expect((await followBrowserReturn(api, paid.redirectUrl)).data).toContain("Payment paid")
      await waitForOrder(getContainer(), cartId)
    })

    it("createLink lost before SecPaid created anything: one retry, one link", async () => {
      await control.injectFault({ gateway: "secpaid", endpoint: "createLink", kind: "hang", count: 1, delayMs: 1500 })
      const { sessionId, payId } = await secPaidCheckout(api, fixture)
      expect((await control.requests({ gateway: "secpaid", endpoint: "createLink" })).map((r) => r.status)).toEqual([0, 200])
      const links = await linksOfSession(sessionId)
      expect(links.map((l) => l.pay_id)).toEqual([payId])
    })
  },
})
