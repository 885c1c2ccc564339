import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { AxiosRequestConfig } from "axios"
import { reconcileGatewayPayments } from "../../src/workflows/reconcile-gateway-payments"
import { medusaSuite } from "../helpers/medusa-runner"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, inboxUrl, paySecPaidLinkSilently, secPaidCheckout, sendSecPaidWebhook, waitForCapturedOrder, waitForWebhookEvent } from "./inbox-helpers"
import { countOrders, payInCheckout, sandbox } from "./payin-helpers"

jest.setTimeout(240_000)

/**
 * A store with several accounts (medusa-config.ts, PAYMENT_GATEWAYS_DEMO_REGISTRATIONS=several):
 * SecPaid registered twice, `eu` (the sandbox's development key) and `marketplace` (a
 * second SecPaid account), and PayIn as `crypto`. Each registration checks out, gets its
 * webhooks at `/hooks/<gateway>/<id>`, places orders, is reconciled, guarded and shown in
 * the order widget as itself, and talks to its gateway with its own key only.
 */
const MARKETPLACE_KEY = "sp_dev_marketplace_5c1d8e2f"
const SECPAID_KEYS = { eu: process.env.SECPAID_API_KEY as string, marketplace: MARKETPLACE_KEY }
const PAYIN_KEY = process.env.PAYIN_API_KEY as string
const SECPAID_REGISTRATIONS = ["eu", "marketplace"] as const

const ENV = { PAYMENT_GATEWAYS_DEMO_REGISTRATIONS: "several", SECPAID_MARKETPLACE_API_KEY: MARKETPLACE_KEY }
const previousEnv: Record<string, string | undefined> = {}
beforeAll(() => {
  // Read by medusa-config.ts when the runner loads it, after this hook (the runner's own `env` is applied only after loading it).
  for (const [name, value] of Object.entries(ENV)) {
    previousEnv[name] = process.env[name]
    process.env[name] = value
  }
})
afterAll(() => {
  for (const [name, value] of Object.entries(previousEnv)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

/** The keys the sandbox saw on a gateway's API requests since the last reset (SecPaid `token`, PayIn Bearer). */
async function keysSeen(gateway: "secpaid" | "payin"): Promise<Set<string>> {
  const requests = await sandbox().requests({ gateway })
  const keys = requests.flatMap((r) => {
    const key = gateway === "secpaid" ? r.headers.token : r.headers.authorization?.replace(/^Bearer /, "")
    return key ? [key] : []
  })
  return new Set(keys)
}

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    let admin: AxiosRequestConfig
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      await control.secpaidAddAccount({ apiKey: MARKETPLACE_KEY, account: "marketplace" })
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin", "crypto") }])
      fixture = await seedStore(getContainer())
      admin = await adminHeaders(api, getContainer())
    })

    async function fulfil(orderId: string) {
      const { data } = await api.get(`/admin/orders/${orderId}?fields=id,*items`, admin)
      return api.post(
        `/admin/orders/${orderId}/fulfillments`,
        { items: data.order.items.map((i: any) => ({ id: i.id, quantity: i.quantity })), location_id: fixture.stockLocationId },
        { ...admin, validateStatus: () => true }
      )
    }

    /** Points an order's Medusa payment at another (unpaid) gateway reference, as a tampered database would. */
    async function pointPaymentAt(container: MedusaContainer, order: any, data: Record<string, unknown>) {
      const payment = order.payment_collections[0].payments[0]
      await (container.resolve(Modules.PAYMENT) as any).updatePayments({ id: payment.id, data: { ...payment.data, ...data } })
    }

    it.each(SECPAID_REGISTRATIONS)(
      "SecPaid registration %s: checkout, webhook at its own URL → order, browser return, widget and fulfillment guard, all with its own key",
      async (registrationId) => {
        const container = getContainer()
        const providerId = `pp_secpaid_${registrationId}`
        const { cartId, payId, sessionId } = await secPaidCheckout(api, fixture, providerId)
        const link = await control.secpaidLink(payId)
        expect(link).toMatchObject({ account: registrationId === "eu" ? "default" : "marketplace", payment_endpoints: [inboxUrl("secpaid", registrationId)] })

        const paid = await control.secpaidPay(payId)
        expect(paid.deliveries.map((d) => [d.url, d.status])).toEqual([[inboxUrl("secpaid", registrationId), 200]])
        const order = await waitForCapturedOrder(container, cartId)
        const event = await waitForWebhookEvent(container, { gateway: "secpaid", provider_id: providerId }, (e) => e.status === "processed")
        expect(event).toMatchObject({ outcome: "order_created", order_id: order.id, session_id: sessionId })

        const back = await api.get(`/hooks/secpaid/return/${sessionId}?pay_id=${payId}&status=success`, { maxRedirects: 0, validateStatus: () => true })
        expect(back.status).toBe(200)
        expect(back.data).toContain("Payment paid")
        expect(await countOrders(container)).toBe(1)

        const { data } = await api.get(`/admin/payment-gateways/orders/${order.id}`, admin)
        expect(data.payment).toMatchObject({ gateway: "secpaid", provider_id: providerId, registration_id: registrationId, reference: payId, verification: { state: "captured" } })

        // The guard asks this registration's account: the genuine order ships; one whose payment names an unpaid link of the account does not.
        const unpaid = await secPaidCheckout(api, fixture, providerId)
        const tampered = await secPaidCheckout(api, fixture, providerId)
        await paySecPaidLinkSilently(tampered.payId)
        await sendSecPaidWebhook(tampered.payId, "success", undefined, inboxUrl("secpaid", registrationId))
        const bad = await waitForCapturedOrder(container, tampered.cartId)
        await pointPaymentAt(container, bad, { pay_id: unpaid.payId })
        const refused = await fulfil(bad.id)
        expect(refused.status).toBe(400)
        expect(refused.data.message).toMatch(/SecPaid reports payment .* not paid/)
        expect((await fulfil(order.id)).status).toBe(200)

        expect([...(await keysSeen("secpaid"))]).toEqual([SECPAID_KEYS[registrationId]])
      }
    )

    it("PayIn registration crypto: checkout, signed webhook at /hooks/payin/crypto → order, browser return, widget and fulfillment guard, with its own key", async () => {
      const container = getContainer()
      const { cartId, orderId: payinOrderId, sessionId } = await payInCheckout(api, fixture, "pp_payin_crypto")
      const transfer = await control.payinTransfer(payinOrderId, { amount: "32.25" })
      expect(transfer.deliveries.map((d) => [d.url, d.status])).toContainEqual([inboxUrl("payin", "crypto"), 200])
      const order = await waitForCapturedOrder(container, cartId)
      const event = await waitForWebhookEvent(container, { gateway: "payin", provider_id: "pp_payin_crypto" }, (e) => e.status === "processed")
      expect(event.order_id).toBe(order.id)

      const back = await api.get(`/hooks/payin/return/${sessionId}`, { maxRedirects: 0, validateStatus: () => true })
      expect(back.status).toBe(200)
      expect(back.data).toContain("Payment paid")

      const { data } = await api.get(`/admin/payment-gateways/orders/${order.id}`, admin)
      expect(data.payment).toMatchObject({ gateway: "payin", provider_id: "pp_payin_crypto", registration_id: "crypto", reference: payinOrderId })

      const unpaid = await payInCheckout(api, fixture, "pp_payin_crypto")
      const tampered = await payInCheckout(api, fixture, "pp_payin_crypto")
      await control.payinTransfer(tampered.orderId, { amount: "32.25" })
      const bad = await waitForCapturedOrder(container, tampered.cartId)
      await pointPaymentAt(container, bad, { payin_order_id: unpaid.orderId })
      const refused = await fulfil(bad.id)
      expect(refused.status).toBe(400)
      expect(refused.data.message).toMatch(/cannot be fulfilled/)
      expect((await fulfil(order.id)).status).toBe(200)

      expect([...(await keysSeen("payin"))]).toEqual([PAYIN_KEY])
    })

    it("reconciliation finds each registration's dropped webhook with that registration's own client, and reports each registration", async () => {
      const container = getContainer()
      const eu = await secPaidCheckout(api, fixture, "pp_secpaid_eu")
      const marketplace = await secPaidCheckout(api, fixture, "pp_secpaid_marketplace")
      const crypto = await payInCheckout(api, fixture, "pp_payin_crypto")
      await paySecPaidLinkSilently(eu.payId)
      await paySecPaidLinkSilently(marketplace.payId)
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(crypto.orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })
      expect(await countOrders(container)).toBe(0)

      const before = await control.requests({ gateway: "secpaid" })
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(report.secpaid).toMatchObject({ pending: 2, listCalls: 2, paidFound: 2, ordersQueued: 2 })
      expect(report.secpaid.unfinished).toBeUndefined()
      for (const providerId of ["pp_secpaid_eu", "pp_secpaid_marketplace"]) {
        expect(report.secpaid.registrations[providerId]).toMatchObject({ pending: 1, listCalls: 1, paidFound: 1, ordersQueued: 1 })
      }
      expect(report.payin).toMatchObject({ pending: 1, paidFound: 1, eventsQueued: 1, registrations: { pp_payin_crypto: { pending: 1, paidFound: 1 } } })

      for (const checkout of [eu, marketplace, crypto]) await waitForCapturedOrder(container, checkout.cartId)
      const events = await inbox(container).listWebhookEvents({ source: "reconciliation" })
      expect(events.map((e: any) => e.provider_id).sort()).toEqual(["pp_payin_crypto", "pp_secpaid_eu", "pp_secpaid_marketplace"])

      // One batch listing per SecPaid account, each with that account's key.
      const batches = (await control.requests({ gateway: "secpaid" })).slice(before.length).filter((r) => JSON.stringify(r.body ?? "").includes("since"))
      expect(batches.map((r) => r.headers.token).sort()).toEqual([SECPAID_KEYS.eu, SECPAID_KEYS.marketplace].sort())
    })

    it("admin settings per registration: one section each, its own key, its own webhook URL, saved and tested through its provider id", async () => {
      const setting = (gateway: any, name: string) => gateway.settings.find((s: any) => s.name === name)
      const { data } = await api.get("/admin/payment-gateways/settings", admin)
      const byProvider = Object.fromEntries(data.gateways.map((g: any) => [g.provider_id, g]))
      expect(Object.keys(byProvider).sort()).toEqual(["pp_payin_crypto", "pp_secpaid_eu", "pp_secpaid_marketplace"])
      expect(byProvider.pp_secpaid_eu).toMatchObject({ label: "SecPaid — eu", registration_id: "eu", webhook: { url: inboxUrl("secpaid", "eu") } })
      expect(byProvider.pp_secpaid_marketplace).toMatchObject({ label: "SecPaid — marketplace", webhook: { url: inboxUrl("secpaid", "marketplace") } })
      expect(byProvider.pp_payin_crypto).toMatchObject({ label: "PayIn — crypto", registration_id: "crypto" })
      for (const id of SECPAID_REGISTRATIONS) {
        expect(setting(byProvider[`pp_secpaid_${id}`], "apiKey")).toMatchObject({ source: "medusa-config", value: `••••${SECPAID_KEYS[id].slice(-4)}` })
      }

      // A save reaches that registration's provider only: marketplace links stop offering cancel, eu links still do.
      const saved = await api.post("/admin/payment-gateways/settings/pp_secpaid_marketplace", { cancellable: false }, admin)
      expect(setting(saved.data.gateway, "cancellable")).toMatchObject({ source: "admin", value: false })
      const marketplace = await secPaidCheckout(api, fixture, "pp_secpaid_marketplace")
      const eu = await secPaidCheckout(api, fixture, "pp_secpaid_eu")
      expect((await control.secpaidLink(marketplace.payId)).cancellable).toBe(false)
      expect((await control.secpaidLink(eu.payId)).cancellable).toBe(true)

      // "Test connection" of each registration asks its gateway with that registration's key.
      await control.reset()
      await control.secpaidAddAccount({ apiKey: MARKETPLACE_KEY, account: "marketplace" })
      const tested = await api.post("/admin/payment-gateways/test-connection/pp_secpaid_marketplace", {}, admin)
      expect(tested.data).toMatchObject({ ok: true })
      expect([...(await keysSeen("secpaid"))]).toEqual([MARKETPLACE_KEY])
      expect((await api.post("/admin/payment-gateways/test-connection/pp_payin_crypto", {}, admin)).data).toMatchObject({ ok: true })
      expect([...(await keysSeen("payin"))]).toEqual([PAYIN_KEY])
    })

    it("the bare /hooks/secpaid finds the registration from the link; an unknown registration id is 404", async () => {
      const container = getContainer()
      const { cartId, payId } = await secPaidCheckout(api, fixture, "pp_secpaid_marketplace")
      await paySecPaidLinkSilently(payId)
      expect((await sendSecPaidWebhook(payId, "success", undefined, inboxUrl("secpaid"))).map((d) => d.status)).toEqual([200])
      await waitForCapturedOrder(container, cartId)
      const event = await waitForWebhookEvent(container, { gateway: "secpaid" }, (e) => e.status === "processed")
      expect(event).toMatchObject({ provider_id: "pp_secpaid_marketplace", outcome: "order_created" })

      for (const gateway of ["secpaid", "payin"] as const) {
        const unknown = await api.post(`/hooks/${gateway}/nonexistent`, "{}", { headers: { "content-type": "application/json" }, validateStatus: () => true })
        expect(unknown.status).toBe(404)
        expect(unknown.data.message).toBe(`This store has no ${gateway} payment provider registered with id "nonexistent"; check the webhook URL configured at ${gateway}.`)
      }
    })
  },
})
