import { medusaSuite } from "../helpers/medusa-runner"
import type { AxiosInstance, AxiosRequestConfig } from "axios"
import { SandboxControl } from "../../sandbox/control-client"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_SECPAID_DEV_KEY } from "../../sandbox/credentials"
import { createCartReadyForPayment, waitFor } from "../helpers/checkout"
import { adminHeaders, seedStore, storeHeaders, type StoreFixture } from "../helpers/store-fixture"

jest.setTimeout(180_000)

/**
 * A key saved in Settings → Payment gateways is used by the very next checkout of the
 * running store, no restart: the sandbox's request log shows which key each gateway
 * call carried (SecPaid `token` header, PayIn `Authorization: Bearer`).
 */
const WRONG_SECPAID_KEY = "sp_dev_leaked_and_revoked_01"
const WRONG_PAYIN_KEY = "pk_test_leaked_and_revoked_01"

function sandbox(): SandboxControl {
  const url = process.env.SANDBOX_URL
  if (!url) throw new Error("SANDBOX_URL is not set: run the suite through `npm test` (integration-tests/global-setup.ts).")
  return new SandboxControl(url)
}

/** Starts a payment session without throwing: the HTTP status and body. */
async function tryPaymentSession(api: AxiosInstance, fixture: StoreFixture, currency: "eur" | "usd", providerId: string) {
  const cart = await createCartReadyForPayment(api, fixture, { currency })
  const h = { ...storeHeaders(fixture), validateStatus: () => true }
  const { data: pc } = await api.post("/store/payment-collections", { cart_id: cart.id }, h)
  const res = await api.post(`/store/payment-collections/${pc.payment_collection.id}/payment-sessions`, { provider_id: providerId, data: { cart_id: cart.id } }, h)
  const session = res.data?.payment_collection?.payment_sessions?.find((s: { provider_id: string }) => s.provider_id === providerId)
  return { status: res.status, body: res.data, session }
}

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    let admin: AxiosRequestConfig
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      fixture = await seedStore(getContainer())
      admin = await adminHeaders(api, getContainer())
    })

    it("SecPaid: a rotated API key is used by the next checkout; rotating back heals it", async () => {
      const before = await tryPaymentSession(api, fixture, "eur", "pp_secpaid_secpaid")
      expect(before.status).toBe(200)

      await api.post("/admin/payment-gateways/settings/secpaid", { apiKey: WRONG_SECPAID_KEY }, admin)
      await control.reset()
      const broken = await tryPaymentSession(api, fixture, "eur", "pp_secpaid_secpaid")
      expect(broken.status).toBeGreaterThanOrEqual(400)
      expect(JSON.stringify(broken.body)).not.toContain(WRONG_SECPAID_KEY)
      const rejected = await control.requests({ gateway: "secpaid" })
      expect(rejected.length).toBeGreaterThan(0)
      expect(new Set(rejected.map((r) => r.headers.token))).toEqual(new Set([WRONG_SECPAID_KEY]))

      const rotated = await api.post("/admin/payment-gateways/settings/secpaid", { apiKey: SANDBOX_SECPAID_DEV_KEY }, admin)
      expect(rotated.data.gateway.settings.find((s: { name: string }) => s.name === "apiKey")).toMatchObject({ source: "admin" })
      await control.reset()
      const healed = await tryPaymentSession(api, fixture, "eur", "pp_secpaid_secpaid")
      expect(healed.status).toBe(200)
      expect(healed.session.data.pay_id).toBeTruthy()
      const accepted = await control.requests({ gateway: "secpaid", endpoint: "createLink" })
      expect(accepted.map((r) => [r.headers.token, r.status])).toEqual([[SANDBOX_SECPAID_DEV_KEY, 200]])
    })

    it("PayIn: a rotated API key is used by the next checkout; rotating back heals it", async () => {
      await api.post("/admin/payment-gateways/settings/payin", { apiKey: WRONG_PAYIN_KEY }, admin)
      const broken = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      expect(broken.status).toBeGreaterThanOrEqual(400)
      expect(JSON.stringify(broken.body)).not.toContain(WRONG_PAYIN_KEY)
      const rejected = await control.requests({ gateway: "payin" })
      expect(rejected.length).toBeGreaterThan(0)
      expect(new Set(rejected.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${WRONG_PAYIN_KEY}`]))

      await api.post("/admin/payment-gateways/settings/payin", { apiKey: null }, admin)
      await control.reset()
      const healed = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      expect(healed.status).toBe(200)
      expect(healed.session.data.payin_order_id).toBeTruthy()
      const created = await control.requests({ gateway: "payin", endpoint: "POST /orders" })
      expect(created.map((r) => [r.headers.authorization, r.status])).toEqual([[`Bearer ${SANDBOX_PAYIN_API_KEY}`, 201]])
    })

    it("PayIn: a webhook secret rotated in the admin is the one /hooks/payin checks, at once", async () => {
      const NEW_SECRET = "whsec_rotated_in_admin_7c1e"
      const hook = `${process.env.MEDUSA_BACKEND_URL}/hooks/payin`
      await control.payinSetWebhookEndpoints([{ url: hook, secret: NEW_SECRET }])

      // PayIn already signs with the new secret, the store still checks the old one: refused.
      const first = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      const refused = await control.payinTransfer(first.session.data.payin_order_id, { amount: "32.25" })
      expect(refused.deliveries.map((d) => d.status)).toEqual([401])

      const saved = await api.post("/admin/payment-gateways/settings/payin", { webhookSecret: NEW_SECRET }, admin)
      expect(JSON.stringify(saved.data)).not.toContain(NEW_SECRET)
      const second = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      const accepted = await control.payinTransfer(second.session.data.payin_order_id, { amount: "32.25" })
      expect(accepted.deliveries.map((d) => d.status)).toEqual([200])
      const event = await waitFor(
        async () => {
          const { data } = await api.get("/admin/payment-gateways/webhook-events?gateway=payin&status=processed", admin)
          return data.webhook_events.find((e: { reference: string }) => e.reference === second.session.data.payin_order_id)
        },
        { timeoutMs: 30_000, what: "the processed PayIn event" }
      )
      expect(event.outcome).toBe("order_created")
    })

    it("PayIn: the browser-return route asks PayIn with the key saved in the admin", async () => {
      const { session } = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      await api.post("/admin/payment-gateways/settings/payin", { apiKey: WRONG_PAYIN_KEY }, admin)
      await control.reset()
      await api.get(`/hooks/payin/return/${session.id}`, { validateStatus: () => true, maxRedirects: 0 })
      const lookups = await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })
      expect(lookups.map((r) => r.headers.authorization)).toContain(`Bearer ${WRONG_PAYIN_KEY}`)
      expect(lookups.map((r) => r.headers.authorization)).not.toContain(`Bearer ${SANDBOX_PAYIN_API_KEY}`)
    })

    it("a gateway switched off in the admin refuses new payments with a sentence, and works again when switched on", async () => {
      await api.post("/admin/payment-gateways/settings/payin", { enabled: false }, admin)
      const off = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      expect(off.status).toBeGreaterThanOrEqual(400)
      expect(off.body.message).toMatch(/PayIn is switched off in Settings → Payment gateways/)
      await api.post("/admin/payment-gateways/settings/payin", { enabled: null }, admin)
      const on = await tryPaymentSession(api, fixture, "usd", "pp_payin_payin")
      expect(on.status).toBe(200)
    })
  },
})
