import { medusaSuite } from "../helpers/medusa-runner"
import { toMinorUnits } from "../../src/lib/money"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import {
  deliveryVerdicts,
  inbox,
  inboxUrl,
  waitForCapturedOrder,
  waitForWebhookEvent,
} from "./inbox-helpers"
import { countOrders, orderForCart, payInCheckout, sandbox } from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * PayIn's plain signature form over HTTP: the `X-PayIn-Signature` header holds only the
 * hex HMAC-SHA256 of the body, no timestamp. /hooks/payin must take it like the
 * timestamped form (PayIn never retries the 4xx a refusal would be), and refuse it
 * when it does not match the configured secret.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      // The database is restored for each case; the delivery log's per-source allowances start afresh too.
      await inbox(getContainer()).webhookDeliveryLog().restart()
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin"), signatureForm: "plain" }])
      fixture = await seedStore(getContainer())
    })

    it("a checkout paid at PayIn, signed in the plain form, becomes exactly one captured order; a later resend is a duplicate", async () => {
      const container = getContainer()
      const { cartId, sessionId, orderId } = await payInCheckout(api, fixture)
      const { order: paid, deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
      expect(paid.status).toBe("completed")
      expect(deliveries.map((d) => d.status)).toEqual([200])
      expect(deliveries[0].headers["x-payin-signature"]).toMatch(/^[0-9a-f]{64}$/)

      const order = await waitForCapturedOrder(container, cartId)
      expect(toMinorUnits(order.total, "usd")).toBe(3225n)
      const event = await waitForWebhookEvent(
        container,
        { gateway: "payin", event_id: `evt_order_completed_${orderId}` },
        (e) => e.status === "processed"
      )
      expect(event).toMatchObject({ outcome: "order_created", session_id: sessionId, order_id: order.id, attempts: 1, source: "webhook" })
      const log = await inbox(container).listWebhookDeliveries({ gateway: "payin" })
      expect(log.map((d) => d.verdict)).toEqual(["accepted"])
      // The plain signature is as secret-adjacent as the timestamped one: never stored.
      expect((log[0].headers as Record<string, string>)["x-payin-signature"]).toBe("[redacted]")

      // With no timestamp, a genuine delivery stays valid for ever; resending it changes nothing.
      const resend = await control.payinSendWebhook({ orderId, type: "order.completed", variant: "valid", to: inboxUrl("payin") })
      expect(resend.deliveries.map((d) => d.status)).toEqual([200])
      expect((await deliveryVerdicts(container, { gateway: "payin" })).sort()).toEqual(["accepted", "duplicate"])
      expect(await inbox(container).listWebhookEvents({ gateway: "payin" })).toHaveLength(1)
      expect(await countOrders(container)).toBe(1)
    })

    it("a plain-form delivery signed with the wrong secret is answered 401 and creates nothing", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      // Paid at PayIn with the genuine webhook dropped: only the wrongly signed one reaches the store.
      await control.webhookBehaviour({ gateway: "payin", mode: "drop", count: 1 })
      await control.payinTransfer(orderId, { amount: "32.25" })
      await control.webhookBehaviour({ gateway: "payin", mode: "normal" })

      const { deliveries } = await control.payinSendWebhook({ orderId, type: "order.completed", variant: "wrong-secret", to: inboxUrl("payin") })
      expect(deliveries.map((d) => d.status)).toEqual([401])
      expect(deliveries[0].headers["x-payin-signature"]).toMatch(/^[0-9a-f]{64}$/)

      const log = await inbox(container).listWebhookDeliveries({ gateway: "payin" })
      expect(log.map((d) => [d.verdict, d.http_status])).toEqual([["signature_mismatch", 401]])
      expect(await inbox(container).listWebhookEvents({})).toHaveLength(0)
      expect(await orderForCart(container, cartId)).toBeUndefined()
      expect(await countOrders(container)).toBe(0)
    })
  },
})
