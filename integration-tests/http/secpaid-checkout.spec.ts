import { medusaSuite } from "../helpers/medusa-runner"
import { completeCart, startPaymentSession } from "../helpers/checkout"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import {
  countOrders,
  followBrowserReturn,
  orderForCart,
  ordersForCart,
  paymentSession,
  sandbox,
  SECPAID_PROVIDER,
  secPaidCheckout,
  secPaidWebhookUrl,
  settleEarlierWebhooks,
  isCaptured,
  waitForOrder,
} from "./secpaid-helpers"

jest.setTimeout(180_000)

/** Query results carry BigNumber objects for totals; compare their JSON value. */
const plain = (value: unknown) => JSON.parse(JSON.stringify(value))

/**
 * SecPaid checkout over HTTP against the sandbox: the storefront starts a SecPaid
 * session, the sandbox plays the customer on the hosted page and SecPaid's
 * webhook (to the provider's default, the plugin's durable route /hooks/secpaid,
 * which stores it and then processes it), and the browser comes back to
 * /hooks/secpaid/return/<session>.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      fixture = await seedStore(getContainer())
    })

    it("creates one link for the session with the exact amount, the session id in the note and no secrets in session data", async () => {
      const { sessionId, cartId, payId, session } = await secPaidCheckout(api, fixture)
      expect(session.data).toMatchObject({ session_id: sessionId, cart_id: cartId, pay_id: payId, amount: "30.00", currency: "eur" })
      expect(session.data.pay_link).toContain("/secpaid/payment?link_id=")
      expect(JSON.stringify(session.data)).not.toMatch(/sp_dev_|sp_live_/)
      const link = await control.secpaidLink(payId)
      expect(link).toMatchObject({
        amount: "30.00",
        recipient_note: `medusa:${sessionId} cart:${cartId}`,
        callback_urls: [`${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/return/${sessionId}`],
        payment_endpoints: [secPaidWebhookUrl()],
        status: "Unused",
      })
    })

    it("pay on the hosted page → verified webhook → exactly one captured order; the return page and the storefront agree", async () => {
      const container = getContainer()
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      const paid = await control.secpaidPay(payId)
      expect(paid.deliveries.map((d) => [d.url, d.status])).toEqual([[secPaidWebhookUrl(), 200]])

      const order = await waitForOrder(container, cartId, isCaptured)
      expect(plain(order.total)).toBe(30)
      expect(order.payment_collections[0].payments).toHaveLength(1)

      const back = await followBrowserReturn(api, paid.redirectUrl)
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment paid")
      expect(back.data).toContain(order.id)

      const again = await completeCart(api, fixture, cartId)
      expect(again.body.order?.id).toBe(order.id)
      expect(await countOrders(container)).toBe(1)
    })

    it("old-docs link ids and JSON webhook bodies (flat bracket keys, nested) complete orders through the webhook alone", async () => {
      const container = getContainer()
      await control.secpaidConfigure({ docsGeneration: "old" })
      const flat = await secPaidCheckout(api, fixture)
      const nested = await secPaidCheckout(api, fixture)
      expect(flat.payId).toMatch(/^\d+$/)
      const a = await control.secpaidPay(flat.payId, { webhookFormat: "json-flat" })
      const b = await control.secpaidPay(nested.payId, { webhookFormat: "json-nested" })
      expect([...a.deliveries, ...b.deliveries].map((d) => d.status)).toEqual([200, 200])
      await waitForOrder(container, flat.cartId, isCaptured)
      await waitForOrder(container, nested.cartId, isCaptured)
      expect(await countOrders(container)).toBe(2)
    })

    it("the browser return places the order at once, and the later webhook and a duplicate add nothing", async () => {
      const container = getContainer()
      await control.secpaidConfigure({ ampersandRedirects: true })
      await control.webhookBehaviour({ gateway: "secpaid", mode: "duplicate", count: 1 })
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      const paid = await control.secpaidPay(payId)
      expect(paid.redirectUrl).toContain("&amp;")
      expect(paid.deliveries.filter((d) => d.status === 200).length).toBeGreaterThanOrEqual(2)

      const back = await followBrowserReturn(api, paid.redirectUrl)
      expect(back.status).toBe(200)
      const order = await orderForCart(container, cartId)
      expect(order).toBeDefined()
      expect(back.data).toContain(order.id)

      await settleEarlierWebhooks(api, container, fixture)
      expect(await ordersForCart(container, cartId)).toBe(1)
      const settled = await orderForCart(container, cartId)
      expect(settled.payment_collections[0].payments).toHaveLength(1)
      expect(settled.payment_collections[0].payments[0].captures).toHaveLength(1)
      expect(await countOrders(container)).toBe(2)
    })

    it("cancel on the hosted page → no order, and the storefront can start a new session and pay", async () => {
      const container = getContainer()
      const { cartId, sessionId, payId } = await secPaidCheckout(api, fixture)
      const cancelled = await control.secpaidCancel(payId)
      const back = await followBrowserReturn(api, cancelled.redirectUrl)
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment canceled")

      const attempt = await completeCart(api, fixture, cartId)
      expect(attempt.status).toBeGreaterThanOrEqual(400)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      expect((await paymentSession(container, sessionId))?.status ?? "deleted").not.toBe("authorized")

      const retry = await startPaymentSession(api, fixture, cartId, SECPAID_PROVIDER, { cart_id: cartId })
      expect(retry.session.id).not.toBe(sessionId)
      expect(retry.session.data.pay_id).not.toBe(payId)
      const paid = await control.secpaidPay(retry.session.data.pay_id)
      expect((await followBrowserReturn(api, paid.redirectUrl)).data).toContain("Payment paid")
      const order = await waitForOrder(container, cartId)
      expect(plain(order.total)).toBe(30)
      expect(await countOrders(container)).toBe(1)
    })

    it("a forged success webhook and a forged return URL for an unpaid link place no order", async () => {
      const container = getContainer()
      const { cartId, sessionId, payId } = await secPaidCheckout(api, fixture)
      const forged = await control.secpaidSendWebhook({ payId, status: "success", to: secPaidWebhookUrl() })
      expect(forged.deliveries.map((d) => d.status)).toEqual([200])

      const back = await followBrowserReturn(
        api,
        `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/return/${sessionId}?pay_id=${payId}&user_id=x&status=success`
      )
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment pending")

      await settleEarlierWebhooks(api, container, fixture)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      const attempt = await completeCart(api, fixture, cartId)
      expect(attempt.status).toBeGreaterThanOrEqual(400)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      expect((await control.secpaidLink(payId)).status).toBe("Unused")
    })

    it("a return URL naming another session or garbage redirects nowhere and places nothing", async () => {
      const container = getContainer()
      const unknown = await followBrowserReturn(api, `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/return/payses_doesnotexist?status=success`)
      expect(unknown.status).toBe(400)
      expect(unknown.headers.location).toBeUndefined()
      const invalid = await followBrowserReturn(api, `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/return/${encodeURIComponent("<script>")}`)
      expect(invalid.status).toBe(400)
      expect(await countOrders(container)).toBe(0)
    })
  },
})
