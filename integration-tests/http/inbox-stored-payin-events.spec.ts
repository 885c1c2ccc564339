import { medusaSuite } from "../helpers/medusa-runner"
import type { AxiosRequestConfig } from "axios"
import { SANDBOX_PAYIN_WEBHOOK_SECRET } from "../../sandbox/credentials"
import { computePayInSignature } from "../../src/providers/payin/verify-signature"
import { processGatewayWebhookEvent } from "../../src/workflows/process-gateway-webhook-event"
import { reconcileGatewayPayments } from "../../src/workflows/reconcile-gateway-payments"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import { inbox, waitForWebhookEvent } from "./inbox-helpers"
import { orderForCart, payInCheckout, sandbox } from "./payin-helpers"

jest.setTimeout(180_000)

/**
 * Inbox processing and reconciliation read the PayIn provider through its public
 * accessors, with the settings saved in the admin: a stored event is processed hours
 * after its signature expired (it was checked when it was stored), whatever webhook
 * secret is configured by then, and the PayIn calls carry the admin-saved API key.
 */
const ROTATED_SECRET = "whsec_rotated_after_ingest_5b2f"
const WRONG_PAYIN_KEY = "pk_test_leaked_and_revoked_02"

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

    afterEach(async () => {
      await api.post("/admin/payment-gateways/settings/payin", { apiKey: null, webhookSecret: null }, admin)
    })

    it("a PayIn event stored six hours ago, secret rotated since, is processed into one order by asking PayIn", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })

      // The secret changes after the event was accepted: the stored signature cannot match it any more.
      await api.post("/admin/payment-gateways/settings/payin", { webhookSecret: ROTATED_SECRET }, admin)
      const lookupsBefore = (await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })).length

      // What /hooks/payin stored six hours ago after checking the signature (processing failed since).
      const t = Math.floor(Date.now() / 1000) - 6 * 3600
      const body = Buffer.from(JSON.stringify({ id: `evt_old_${orderId}`, type: "order.completed", data: { orderId } }))
      const stored = await inbox(container).storeWebhookEvent({
        gateway: "payin",
        eventId: `evt_old_${orderId}`,
        eventType: "order.completed",
        reference: orderId,
        rawBody: body,
        headers: { "content-type": "application/json", "x-payin-signature": `t=${t},v1=${computePayInSignature(body, t, SANDBOX_PAYIN_WEBHOOK_SECRET)}` },
      })

      // The inbox poller may take it first; either way it ends processed with one order.
      await processGatewayWebhookEvent(container, stored.id)
      const event = await waitForWebhookEvent(container, { id: stored.id }, (e) => e.status === "processed")
      expect(event.outcome).toBe("order_created")
      expect(await orderForCart(container, cartId)).toBeTruthy()
      const lookups = (await control.requests({ gateway: "payin", endpoint: "GET /orders/:id" })).slice(lookupsBefore)
      expect(lookups.map((r) => r.path).join(" ")).toContain(orderId)
    })

    it("reconciliation lists PayIn orders with the API key saved in the admin", async () => {
      const container = getContainer()
      const { orderId } = await payInCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })

      await api.post("/admin/payment-gateways/settings/payin", { apiKey: WRONG_PAYIN_KEY }, admin)
      const listedBefore = (await control.requests({ gateway: "payin", endpoint: "GET /orders" })).length
      // The PayIn part stops at the refused key and is reported unfinished; the run itself ends normally.
      const refused = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(refused.payin).toMatchObject({ paidFound: 0, unfinished: expect.stringMatching(/PayIn rejected the API key/) })
      const listed = (await control.requests({ gateway: "payin", endpoint: "GET /orders" })).slice(listedBefore)
      expect(listed.length).toBeGreaterThan(0)
      expect(new Set(listed.map((r) => r.headers.authorization))).toEqual(new Set([`Bearer ${WRONG_PAYIN_KEY}`]))

      await api.post("/admin/payment-gateways/settings/payin", { apiKey: null }, admin)
      const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
      expect(report.payin).toMatchObject({ paidFound: 1, eventsQueued: 1 })
    })
  },
})
