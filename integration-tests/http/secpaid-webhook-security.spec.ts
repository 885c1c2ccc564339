import { medusaSuite } from "../helpers/medusa-runner"
import { completeCart, startPaymentSession, waitFor } from "../helpers/checkout"
import { seedStore, type StoreFixture } from "../helpers/store-fixture"
import {
  deliveryVerdicts,
  inbox,
  inboxUrl,
  paySecPaidLinkSilently,
  SECPAID_PROVIDER,
  secPaidCheckout,
  sendSecPaidWebhook,
  waitForCapturedOrder,
  waitForWebhookEvent,
} from "./inbox-helpers"
import { countOrders, sandbox } from "./payin-helpers"

/**
 * An unpaid link's answer is reused for 10 s, so SecPaid is asked about once per 10 s
 * of repeats (two when the repeats straddle a window's end): a quick machine sends them
 * within one window, a busy one spreads them over more, and the bound follows.
 */
const UNPAID_ANSWER_REUSE_MS = 10_000
const checksAllowedSince = (started: number) => Math.floor((Date.now() - started) / UNPAID_ANSWER_REUSE_MS) + 2

jest.setTimeout(120_000)

const postClaim = (body: string, headers: Record<string, string> = {}) =>
  fetch(inboxUrl("secpaid"), { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body })
const claimBody = (payId: string, status = "success", responseCode = "1") =>
  `ResponseCode=${responseCode}&data%5Bpay_id%5D=${payId}&data%5Bamount%5D=30.00&data%5Bstatus%5D=${status}`

/**
 * SecPaid's webhook is unsigned: anyone can post a claim. These suites show what a
 * claim can and cannot make the store do, over HTTP against the real app and sandbox.
 */
medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture
    const control = sandbox()

    beforeEach(async () => {
      await control.reset()
      // The database is restored for each case; the delivery log's per-source allowances start afresh too.
      await inbox(getContainer()).webhookDeliveryLog().restart()
      fixture = await seedStore(getContainer())
    })

    it("a forged claim being verified cannot swallow the genuine webhook: it is processed right after, and the order appears within seconds", async () => {
      const container = getContainer()
      const { cartId, payId } = await secPaidCheckout(api, fixture)
      // SecPaid reads the link's state at once but answers the forged claim's check 4 s late.
      await control.injectFault({ gateway: "secpaid", endpoint: "getPayInTransactions", kind: "slow", delayMs: 4000, count: 1 })

      expect((await postClaim(claimBody(payId))).status).toBe(200)
      await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:success` }, (e) => e.status === "processing", "the forged claim in verification")
      // SecPaid has read the (unpaid) link for the forged claim once the slow answer is under way.
      await waitFor(async () => (await control.faults()).length === 0, { what: "SecPaid to receive the forged claim's check" })

      // Meanwhile the shopper pays; SecPaid's genuine webhook is the same event id.
      await paySecPaidLinkSilently(payId)
      const genuineAt = Date.now()
      expect((await sendSecPaidWebhook(payId, "success")).map((d) => d.status)).toEqual([200])

      const order = await waitForCapturedOrder(container, cartId)
      const seconds = (Date.now() - genuineAt) / 1000
      expect(seconds).toBeLessThan(20) // the slow check takes 4 s; reconciliation (minutes) is not what placed it
      const event = await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${payId}:success` }, (e) => e.status === "processed")
      expect(event).toMatchObject({ outcome: "order_created", order_id: order.id, attempts: 2, recheck_requested: false })
      expect(await deliveryVerdicts(container, { gateway: "secpaid" })).toEqual(["accepted", "recheck_queued"])
      expect(await countOrders(container)).toBe(1)
    })

    it("claims for links this store never issued cost no SecPaid call and store no event; the answer is the same 200", async () => {
      const container = getContainer()
      await secPaidCheckout(api, fixture) // a real link exists, but the claims name others
      const before = (await control.requests({ gateway: "secpaid" })).length
      const answers = await Promise.all(
        Array.from({ length: 40 }, (_, i) => postClaim(claimBody(String(900_000 + i), i % 2 ? "cancel" : "success")).then(async (r) => [r.status, await r.text()]))
      )
      expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(new Set([JSON.stringify([200, JSON.stringify({ received: true })])]))
      // An error notification (ResponseCode 0) and a pay_id that is no SecPaid id at all.
      expect((await postClaim(claimBody("900100", "success", "0"))).status).toBe(200)
      expect((await postClaim(claimBody("abc; DROP TABLE"))).status).toBe(400)

      await new Promise((r) => setTimeout(r, 1000))
      expect((await control.requests({ gateway: "secpaid" })).length).toBe(before)
      expect(await inbox(container).listWebhookEvents({ gateway: "secpaid" })).toEqual([])
      const verdicts = await deliveryVerdicts(container, { gateway: "secpaid" })
      expect(verdicts.filter((v) => v === "ignored_unknown_link")).toHaveLength(40)
      expect(verdicts.filter((v) => v === "ignored_error_notification")).toHaveLength(1)
      expect(verdicts.filter((v) => v === "parse_error")).toHaveLength(1)
    })

    it("a claim for a link the store issued is processed whatever its session's state — also a link replaced by a cart change", async () => {
      const container = getContainer()
      const first = await secPaidCheckout(api, fixture)
      // A second session for the same cart replaces the first (the shopper clicked pay again).
      const second = await startPaymentSession(api, fixture, first.cartId, SECPAID_PROVIDER)
      expect((await postClaim(claimBody(first.payId))).status).toBe(200)
      const event = await waitForWebhookEvent(container, { gateway: "secpaid", event_id: `${first.payId}:success` }, (e) => e.status === "processed")
      expect(event.session_id).toBe(first.sessionId)
      expect(event.outcome).toMatch(/^no_action/) // verified with SecPaid: not paid
      expect(String(second.session.data.pay_id)).not.toBe(first.payId)
    })

    it("a flood of browser returns for one unpaid session: 20 a minute per source are answered, SecPaid is asked at most once per 10 s", async () => {
      const { sessionId, payId } = await secPaidCheckout(api, fixture)
      const returnUrl = `${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/return/${sessionId}?pay_id=${payId}&status=success`
      const before = (await control.requests({ gateway: "secpaid", endpoint: "getPayInTransactions" })).length
      const started = Date.now()
      const statuses: number[] = []
      for (let i = 0; i < 30; i++) {
        const res = await fetch(returnUrl, { redirect: "manual", headers: { "x-forwarded-for": "198.51.100.7" } })
        await res.arrayBuffer()
        statuses.push(res.status)
      }
      expect(statuses.filter((s) => s === 429)).toHaveLength(10)
      expect(statuses.slice(0, 20).every((s) => s !== 429)).toBe(true)
      const checks = (await control.requests({ gateway: "secpaid", endpoint: "getPayInTransactions" })).length - before
      expect(checks).toBeGreaterThanOrEqual(1)
      expect(checks).toBeLessThanOrEqual(checksAllowedSince(started))
      // Another source is not held back by the first one's flood.
      const other = await fetch(returnUrl, { redirect: "manual", headers: { "x-forwarded-for": "203.0.113.9" } })
      expect(other.status).not.toBe(429)
    })

    it("cart completion of an unpaid session, repeated, asks SecPaid at most once per 10 s", async () => {
      const { cartId } = await secPaidCheckout(api, fixture)
      const before = (await control.requests({ gateway: "secpaid", endpoint: "getPayInTransactions" })).length
      const started = Date.now()
      for (let i = 0; i < 10; i++) await completeCart(api, fixture, cartId).catch(() => undefined)
      const checks = (await control.requests({ gateway: "secpaid", endpoint: "getPayInTransactions" })).length - before
      expect(checks).toBeGreaterThanOrEqual(1)
      expect(checks).toBeLessThanOrEqual(checksAllowedSince(started))
      expect(await countOrders(getContainer())).toBe(0)
    })
  },
})
