import { medusaSuite } from "../helpers/medusa-runner"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import axios from "axios"
import { toMinorUnits } from "../../src/lib/money"
import { processGatewayWebhookEvent } from "../../src/workflows/process-gateway-webhook-event"
import { computePayInSignature } from "../../src/providers/payin/verify-signature"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET } from "../../sandbox/credentials"
import { PayInClient } from "../../src/providers/payin/client"
import { adminHeaders, seedStore, type StoreFixture } from "../helpers/store-fixture"
import {
  deliveryVerdicts,
  inbox,
  inboxUrl,
  isCaptured,
  paySecPaidLinkSilently,
  SECPAID_PROVIDER,
  secPaidCheckout,
  sendSecPaidWebhook,
  waitForCapturedOrder,
  waitForWebhookEvent,
} from "./inbox-helpers"
import { ordersForCart } from "../helpers/orders"
import { countOrders, orderForCart, payInCheckout, paymentSession, sandbox } from "./payin-helpers"

jest.setTimeout(120_000)

/**
 * The durable inbox over HTTP: /hooks/secpaid and /hooks/payin store every genuine
 * event before answering, process it right after, and never turn duplicates,
 * reorderings, forgeries or replays into extra orders or backwards state.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      // The database is restored for each case; the delivery log's per-source allowances start afresh too.
      await inbox(getContainer()).webhookDeliveryLog().restart()
      await control.payinSetWebhookEndpoints([{ url: inboxUrl("payin") }])
      fixture = await seedStore(getContainer())
    })

    it("SecPaid: a paid link's webhook is stored, answered 200 and turned into one captured order", async () => {
      const container = getContainer()
      const { cartId, sessionId, payId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)

      const deliveries = await sendSecPaidWebhook(payId, "success")
      expect(deliveries.map((d) => d.status)).toEqual([200])

      const order = await waitForCapturedOrder(container, cartId)
      expect(toMinorUnits(order.total, "eur")).toBe(3000n)
      const event = await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:success` }, (e) => e.status === "processed")
      expect(event).toMatchObject({ outcome: "order_created", session_id: sessionId, order_id: order.id, attempts: 1, source: "webhook" })

      expect(await deliveryVerdicts(container, { gateway: "secpaid" })).toEqual(["accepted"])
    })

    it("SecPaid: duplicated and reordered deliveries (cancel before success, success again, cancel after) → one order, never cancelled", async () => {
      const container = getContainer()
      const { cartId, payId, sessionId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)

      // A cancel claim overtakes the success: SecPaid shows the payment, so it changes nothing.
      await sendSecPaidWebhook(payId, "cancel")
      const results = await Promise.all([
        sendSecPaidWebhook(payId, "success", "form"),
        sendSecPaidWebhook(payId, "success", "json-nested"),
        sendSecPaidWebhook(payId, "success", "json-flat"),
      ])
      expect(results.flat().map((d) => d.status)).toEqual([200, 200, 200])
      const order = await waitForCapturedOrder(container, cartId)

      await sendSecPaidWebhook(payId, "cancel") // late duplicate of the cancel
      await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:cancel` }, (e) => e.status === "processed")
      const events = await inbox(container).listWebhookEvents({ gateway: "secpaid" })
      expect(events.map((e) => e.event_id).sort()).toEqual([`${payId}:cancel`, `${payId}:success`])
      const cancel = events.find((e) => e.event_id === `${payId}:cancel`)!
      expect(cancel.outcome).toMatch(/^no_action|ignored_late_cancel/)

      expect(await countOrders(container)).toBe(1)
      const after = await orderForCart(container, cartId)
      expect(after).toMatchObject({ id: order.id, status: "pending" })
      expect(isCaptured(after)).toBe(true)
      expect((await paymentSession(container, sessionId)).status).toBe("authorized")
      // The success and the cancel are each accepted once; every repeat is a duplicate, or — when it
      // arrived while its event was being processed — queued for a recheck that an order made moot.
      const verdicts = await deliveryVerdicts(container, { gateway: "secpaid" })
      expect(verdicts.filter((v) => v === "accepted")).toHaveLength(2)
      expect(verdicts.filter((v) => v !== "accepted").every((v) => v === "duplicate" || v === "recheck_queued")).toBe(true)
      expect(verdicts).toHaveLength(5)
      // The order exists before its event's processing records the outcome: wait for that record.
      const success = await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:success` }, (e) => e.status === "processed")
      expect(success).toMatchObject({ outcome: "order_created", attempts: 1, recheck_requested: false })
    })

    it("SecPaid: a forged success for an unpaid link is stored but verified as unpaid: no order; the genuine one later still counts", async () => {
      const container = getContainer()
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      const deliveries = await sendSecPaidWebhook(payId, "success")
      expect(deliveries[0].status).toBe(200)
      const event = await waitForWebhookEvent(container, { gateway: "secpaid" }, (e) => e.status === "processed")
      expect(event.outcome).toBe("no_action_not_supported")
      expect(await orderForCart(container, cartId)).toBeUndefined()

      // The forgery must not shadow the genuine webhook of the same link once it is paid.
      await paySecPaidLinkSilently(payId)
      expect((await sendSecPaidWebhook(payId, "success"))[0].status).toBe(200)
      await waitForCapturedOrder(container, cartId)
      // The order exists a moment before the inbox row records the outcome: wait for the row.
      const again = await waitForWebhookEvent(
        container,
        { gateway: "secpaid" },
        (e) => e.id === event.id && e.status === "processed" && e.outcome !== "no_action_not_supported"
      )
      expect(again).toMatchObject({ id: event.id, status: "processed", outcome: "order_created" })
    })

    it("SecPaid: a genuine cancel marks the session canceled so the storefront can offer another attempt", async () => {
      const container = getContainer()
      const { sessionId, payId } = await secPaidCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: 1 })
      await control.secpaidCancel(payId)
      await sendSecPaidWebhook(payId, "cancel")
      const event = await waitForWebhookEvent(container, { gateway: "secpaid" }, (e) => e.status === "processed")
      expect(event.outcome).toBe("session_canceled")
      expect((await paymentSession(container, sessionId)).status).toBe("canceled")
    })

    it("a verified success after the session was cancelled is flagged for the merchant, never dropped", async () => {
      const container = getContainer()
      const { cartId, payId, sessionId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)
      // Medusa had given up on this session (e.g. a cancel was processed) when the money is confirmed.
      await (container.resolve(Modules.PAYMENT) as any).updatePaymentSessions({ id: sessionId, status: "canceled" })

      await sendSecPaidWebhook(payId, "success")
      const event = await waitForWebhookEvent(container, { gateway: "secpaid" }, (e) => e.status === "processed")
      expect(event.outcome).toBe("order_created_after_cancel")
      await waitForCapturedOrder(container, cartId)
      const flags = await inbox(container).listPaymentFlags({})
      expect(flags).toEqual([expect.objectContaining({ gateway: "secpaid", reference: payId, kind: "payment_after_cancel", session_id: sessionId, resolved_at: null })])

      const headers = await adminHeaders(api, container)
      const listed = await api.get("/admin/payment-gateways/payment-flags?status=open", headers)
      expect(listed.data.payment_flags.map((f: any) => f.kind)).toEqual(["payment_after_cancel"])
    })

    it("PayIn: a signed completion reaches /hooks/payin, duplicates are answered 200 without reprocessing, one order", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      await control.webhookBehaviour({ gateway: "payin", mode: "duplicate", count: 1 })
      const { deliveries } = await control.payinTransfer(orderId, { amount: "32.25" })
      expect(deliveries.length).toBeGreaterThanOrEqual(2)
      expect(deliveries.every((d) => d.status === 200)).toBe(true)

      const order = await waitForCapturedOrder(container, cartId)
      const events = await inbox(container).listWebhookEvents({ gateway: "payin" })
      expect(events).toHaveLength(1)
      await waitForWebhookEvent(container, { gateway: "payin" }, (e) => e.status === "processed" && e.order_id === order.id)
      expect(await countOrders(container)).toBe(1)
      expect(await deliveryVerdicts(container, { gateway: "payin" })).toContain("duplicate")
    })

    it("PayIn: the expiry of an order whose session was never saved is closed as ignored, not retried into a dead letter", async () => {
      const container = getContainer()
      // What a timed-out create leaves behind: PayIn made the order, Medusa never saved the session.
      const orphan = await new PayInClient({ apiKey: SANDBOX_PAYIN_API_KEY, baseUrl: `${process.env.SANDBOX_URL}/payin/api/v1`, timeoutMs: 5000 }).createOrder({
        orderReference: "payses_01NEVERSAVED0000000000000000",
        amount: "32.25",
        currency: "USDC",
        chainId: "ethereum-sepolia",
        metadata: { session_id: "payses_01NEVERSAVED0000000000000000" },
      })
      const { deliveries } = await control.advanceClock(16 * 60)
      expect(deliveries.filter((d) => d.eventId === `evt_order_expired_${orphan.id}`).map((d) => d.status)).toEqual([200])

      const event = await waitForWebhookEvent(container, { gateway: "payin" }, (e) => e.event_id === `evt_order_expired_${orphan.id}` && e.status !== "received" && e.status !== "processing")
      expect(event).toMatchObject({ status: "processed", outcome: "ignored_unknown_session", attempts: 1 })
      expect(await countOrders(container)).toBe(0)
    })

    it("PayIn: forged, unsigned, wrong-secret and replayed deliveries get 401 and nothing processable is stored", async () => {
      const container = getContainer()
      const { cartId, orderId } = await payInCheckout(api, fixture)
      // The order is NOT paid: a forged "completed" must not be believed (the sandbox's
      // "forged" variant tampers the signed body into a completed order).

      for (const variant of ["forged", "unsigned", "wrong-secret", "replayed"] as const) {
        const { deliveries } = await control.payinSendWebhook({ orderId, type: "order.completed", variant, to: inboxUrl("payin") })
        expect({ variant, status: deliveries[0].status }).toEqual({ variant, status: 401 })
      }
      expect(await inbox(container).listWebhookEvents({})).toHaveLength(0)
      const log = await inbox(container).listWebhookDeliveries({ gateway: "payin" })
      expect(log.map((d) => d.verdict).sort()).toEqual(["signature_mismatch", "signature_mismatch", "signature_missing", "signature_replayed"])
      // Signature values never reach the delivery log.
      for (const d of log) {
        const sig = (d.headers as Record<string, string>)["x-payin-signature"]
        if (sig !== undefined) expect(sig).toBe("[redacted]")
      }
      expect(await orderForCart(container, cartId)).toBeUndefined()
    })

    it("garbage gets 400, oversized bodies 413, both in the delivery log; a signed non-event is refused too", async () => {
      const container = getContainer()
      const garbage = await axios.post(inboxUrl("secpaid"), "this is not a webhook", {
        headers: { "content-type": "text/plain" },
        validateStatus: () => true,
      })
      expect(garbage.status).toBe(400)
      const big = await axios.post(inboxUrl("secpaid"), "x".repeat(200 * 1024), {
        headers: { "content-type": "application/x-www-form-urlencoded" },
        validateStatus: () => true,
        maxBodyLength: Infinity,
      })
      expect(big.status).toBe(413)

      const body = Buffer.from("not json")
      const t = Math.floor(Date.now() / 1000)
      const signedGarbage = await axios.post(inboxUrl("payin"), body, {
        headers: { "content-type": "application/json", "x-payin-signature": `t=${t},v1=${computePayInSignature(body, t, SANDBOX_PAYIN_WEBHOOK_SECRET)}` },
        validateStatus: () => true,
      })
      expect(signedGarbage.status).toBe(400)

      expect((await deliveryVerdicts(container)).sort()).toEqual(["parse_error", "parse_error", "too_large"])
      expect(await inbox(container).listWebhookEvents({})).toHaveLength(0)
    })

    it("a failing event is retried with backoff, becomes a dead letter after maxAttempts, and the admin can see and retry it", async () => {
      const container = getContainer()
      const service = inbox(container)
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)
      // The gateway check fails while the webhook is processed (SecPaid unreachable).
      const paymentModule = container.resolve(Modules.PAYMENT) as any
      const realCheck = paymentModule.getWebhookActionAndData
      paymentModule.getWebhookActionAndData = async () => {
        throw new Error("SecPaid could not be reached (test stub)")
      }
      await sendSecPaidWebhook(payId, "success")
      const failed = await waitForWebhookEvent(container, { gateway: "secpaid" }, (e) => e.status === "failed")
      expect(failed.attempts).toBe(1)
      expect(failed.last_error).toBeTruthy()
      expect(new Date(failed.next_attempt_at!).getTime()).toBeGreaterThan(Date.now())

      // Remaining attempts, each made due at once instead of waiting for the backoff.
      const pg = container.resolve("__pg_connection__") as any
      for (let i = 0; i < 20; i++) {
        const [row] = await service.listWebhookEvents({ id: failed.id })
        if (row.status === "dead_letter") break
        await pg.raw(`UPDATE payment_gateway_webhook_event SET next_attempt_at = now() - interval '1 second' WHERE id = ?`, [failed.id])
        await processGatewayWebhookEvent(container, failed.id)
      }
      const [dead] = await service.listWebhookEvents({ id: failed.id })
      expect(dead).toMatchObject({ status: "dead_letter", attempts: 8 })

      const headers = await adminHeaders(api, container)
      const list = await api.get("/admin/payment-gateways/webhook-events?status=dead_letter", headers)
      expect(list.data.webhook_events.map((e: any) => e.id)).toEqual([failed.id])
      expect(list.data.webhook_events[0].raw_body).toBeUndefined()
      const unauthenticated = await api.get("/admin/payment-gateways/webhook-events", { validateStatus: () => true })
      expect(unauthenticated.status).toBe(401)

      paymentModule.getWebhookActionAndData = realCheck
      const retried = await api.post(`/admin/payment-gateways/webhook-events/${failed.id}/retry`, {}, headers)
      expect(retried.data.webhook_event).toMatchObject({ status: "processed", outcome: "order_created" })
      const order = await waitForCapturedOrder(container, cartId)
      expect(order).toBeDefined()
      const again = await api.post(`/admin/payment-gateways/webhook-events/${failed.id}/retry`, {}, { ...headers, validateStatus: () => true })
      expect(again.status).toBe(409)
    })

    it("a process that died inside Medusa's cart completion (order made, never linked to its cart) leaves no second order: the taken-over event deletes the half-made one, once it is clearly abandoned", async () => {
      const container = getContainer()
      const pg = container.resolve(ContainerRegistrationKeys.PG_CONNECTION)
      const query = container.resolve(ContainerRegistrationKeys.QUERY)
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      await paySecPaidLinkSilently(payId)

      // What the dead attempt left: the order completeCartWorkflow's first step made from the cart, linked to no cart
      // (the process died before the next step) …
      const { data: carts } = await query.graph({
        entity: "cart",
        fields: ["email", "currency_code", "region_id", "sales_channel_id", "items.title", "items.variant_id", "items.quantity", "items.unit_price"],
        filters: { id: cartId },
      })
      const cart = carts[0] as any
      const [halfMade] = await container.resolve(Modules.ORDER).createOrders([
        {
          email: cart.email,
          currency_code: cart.currency_code,
          region_id: cart.region_id,
          sales_channel_id: cart.sales_channel_id,
          status: "pending" as any,
          items: cart.items.map((i: any) => ({ title: i.title, variant_id: i.variant_id, quantity: i.quantity, unit_price: i.unit_price })),
        },
      ])
      // … and its event, stored before the 200 and still "processing" under the dead process's lock, which has run out.
      const stored = await inbox(container).storeWebhookEvent({
        gateway: "secpaid",
        providerId: SECPAID_PROVIDER,
        eventId: `${payId}:success`,
        eventType: "success",
        reference: payId,
        rawBody: Buffer.from(`ResponseCode=1&data%5Bpay_id%5D=${payId}&data%5Bstatus%5D=success`),
        headers: { "content-type": "application/x-www-form-urlencoded" },
      })
      await pg.raw(
        `UPDATE payment_gateway_webhook_event SET status = 'processing', attempts = 1, updated_at = now() - interval '60 seconds', locked_until = now() - interval '1 second' WHERE id = ?`,
        [stored.id]
      )
      expect(await countOrders(container)).toBe(1)

      // Taken over while the half-made order is young (a live workflow could still be linking it): the event waits.
      const first = await processGatewayWebhookEvent(container, stored.id)
      expect(first).toMatchObject({ claimed: true, status: "failed" })
      expect((first as { error: string }).error).toMatch(new RegExp(`Order ${halfMade.id} was made from cart ${cartId} by an earlier attempt`))
      expect(await ordersForCart(container, cartId)).toBe(0)

      // Clearly abandoned now: the next attempt (the interrupted attempt is remembered across the failed one) deletes it first.
      await pg.raw(`UPDATE "order" SET created_at = now() - interval '30 seconds' WHERE id = ?`, [halfMade.id])
      await pg.raw(`UPDATE payment_gateway_webhook_event SET next_attempt_at = now() WHERE id = ?`, [stored.id])
      const second = await processGatewayWebhookEvent(container, stored.id)
      expect(second).toMatchObject({ claimed: true, status: "processed", outcome: "order_created" })
      const order = await waitForCapturedOrder(container, cartId)
      expect(await ordersForCart(container, cartId)).toBe(1)
      expect(await countOrders(container)).toBe(1)
      expect(order.id).not.toBe(halfMade.id)
      const { data: left } = await query.graph({ entity: "order", fields: ["id"], filters: { id: halfMade.id } })
      expect(left).toEqual([])
      const [event] = await inbox(container).listWebhookEvents({ gateway: "secpaid" })
      // The dead attempt, the one that waited, the one that placed the order.
      expect(event).toMatchObject({ status: "processed", attempts: 3, interrupted_attempt_at: null })
    })
  },
})
