import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import {
  SANDBOX_PAYIN_API_KEY as PAYIN_KEY,
  SANDBOX_PAYIN_WEBHOOK_SECRET as PAYIN_SECRET,
  SANDBOX_SECPAID_DEV_KEY as DEV,
  SANDBOX_SECPAID_PROD_KEY as PROD,
} from "../credentials"
import type { RunningSandbox } from "../server"
import type { SandboxControl } from "../control-client"
import { payInSignatureHeader } from "../payin/webhooks"
import { payin, secpaid, startReceiver, startTestSandbox } from "./helpers"

const MARKETPLACE = "sp_dev_marketplace_0123456789"
const CRYPTO = "pk_test_crypto_0123456789abcdef"
const CRYPTO_SECRET = "whsec_crypto_0123456789abcdef"

/** Whether a timestamped PayIn signature header was made with `secret`. */
function signedWith(header: string, body: string, secret: string): boolean {
  const t = Number(/t=(\d+)/.exec(header)?.[1])
  return header === payInSignatureHeader(secret, t, body)
}

describe("merchant accounts", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  beforeAll(async () => ({ sandbox, control } = await startTestSandbox()))
  afterAll(() => sandbox.close())
  beforeEach(() => control.reset())

  describe("SecPaid", () => {
    const call = (name: string, token: string, body: Record<string, unknown> = {}) => secpaid(sandbox.url, name, token, body)
    const unusedIds = async (token: string) => (await call("getMyUnusedLinks", token)).json.data.map((r: any) => r.linktopay_id)

    it("gives an added key its own links: the default key cannot see or act on them, and vice versa", async () => {
      expect(await control.secpaidAddAccount({ apiKey: MARKETPLACE, account: "marketplace" })).toEqual({
        account: "marketplace",
        environment: "development",
      })
      const own = (await call("createLink", MARKETPLACE, { amount: "20.00", recipient_note: "mp" })).json.data.id
      const theirs = (await call("createLink", DEV, { amount: "10.00", recipient_note: "eu" })).json.data.id

      expect(await unusedIds(MARKETPLACE)).toEqual([own])
      expect(await unusedIds(DEV)).toEqual([theirs])
      for (const [token, foreign] of [[DEV, own], [MARKETPLACE, theirs]]) {
        expect((await call("deleteLink", token, { link_id: foreign })).json).toMatchObject({ ResponseCode: 0, ResponseMsg: "Link not found" })
      }

      await control.secpaidPay(own)
      await control.secpaidPay(theirs)
      const usedIds = async (token: string) => (await call("getMyUsedLinks", token)).json.data.map((r: any) => r.linktopay_id)
      expect(await usedIds(MARKETPLACE)).toEqual([own])
      expect(await usedIds(DEV)).toEqual([theirs])
      const payIds = async (token: string, body = {}) => (await call("getPayInTransactions", token, body)).json.data.map((r: any) => r.pay_id)
      expect(await payIds(MARKETPLACE)).toEqual([own])
      expect(await payIds(DEV)).toEqual([theirs])
      expect(await payIds(DEV, { pay_id: own })).toEqual([])
      const refund = await call("refundPayment", DEV, { pay_id: own, refund_amount: "1.00" })
      expect(refund.json).toMatchObject({ ResponseCode: 0, ResponseMsg: "Link not found" })
      expect((await call("refundPayment", MARKETPLACE, { pay_id: own, refund_amount: "1.00" })).json.ResponseCode).toBe(1)

      // The control API sees everything and says whose it is; the request log shows which key was used.
      expect((await control.secpaidLinks()).map((l) => [l.pay_id, l.account, l.environment])).toEqual([
        [own, "marketplace", "development"],
        [theirs, "default", "development"],
      ])
      expect((await control.secpaidTransactions()).map((t) => [t.pay_id, t.account])).toEqual([
        [own, "marketplace"],
        [theirs, "default"],
      ])
      expect(JSON.stringify(await control.secpaidLinks())).not.toContain(MARKETPLACE)
      expect((await control.requests({ endpoint: "createLink" })).map((r) => r.headers.token)).toEqual([MARKETPLACE, DEV])
    })

    it("accepts an added production key in the production environment, apart from the built-in production key", async () => {
      const added = await control.secpaidAddAccount({ apiKey: "sp_live_marketplace_0123", environment: "production" })
      expect(added).toEqual({ account: expect.stringMatching(/^acct_[0-9a-f]{10}$/), environment: "production" })
      const id = (await call("createLink", "sp_live_marketplace_0123", { amount: "5.00" })).json.data.id
      expect(await control.secpaidLink(id)).toMatchObject({ account: added.account, environment: "production" })
      expect(await unusedIds(PROD)).toEqual([])
      expect(await unusedIds("sp_live_marketplace_0123")).toEqual([id])
    })

    it("refuses an account whose key is already in use or whose label is taken", async () => {
      await expect(control.secpaidAddAccount({ apiKey: DEV })).rejects.toThrow(/HTTP 409.*already in use/)
      await expect(control.secpaidAddAccount({ apiKey: MARKETPLACE, account: "default" })).rejects.toThrow(/HTTP 409/)
      await control.secpaidAddAccount({ apiKey: MARKETPLACE, account: "marketplace" })
      await expect(control.secpaidAddAccount({ apiKey: "sp_dev_other", account: "marketplace" })).rejects.toThrow(/HTTP 409/)
      // The same label may hold one key per environment, like the built-in account.
      await control.secpaidAddAccount({ apiKey: "sp_live_marketplace", account: "marketplace", environment: "production" })
    })
  })

  describe("PayIn", () => {
    let eu: Awaited<ReturnType<typeof startReceiver>>
    let crypto: Awaited<ReturnType<typeof startReceiver>>
    beforeAll(async () => {
      eu = await startReceiver()
      crypto = await startReceiver()
    })
    afterAll(async () => {
      await eu.close()
      await crypto.close()
    })
    beforeEach(() => {
      eu.received.length = 0
      crypto.received.length = 0
    })

    const newOrder = async (key: string, orderReference: string) => {
      const res = await payin(sandbox.url, "POST", "/orders", key, { orderReference, amount: "10", currency: "USDT", chainId: "tron-nile" })
      expect(res.status).toBe(201)
      return res.json.data.orderId as string
    }

    it("gives an added key its own orders, signed with its own secret and sent to its own endpoints", async () => {
      expect(await control.payinAddAccount({ apiKey: CRYPTO, webhookSecret: CRYPTO_SECRET, account: "crypto" })).toEqual({ account: "crypto" })
      await control.payinSetWebhookEndpoints([{ url: eu.url }])
      await control.payinSetWebhookEndpoints([{ url: crypto.url }], { apiKey: CRYPTO })
      const own = await newOrder(CRYPTO, "crypto-1")
      const theirs = await newOrder(PAYIN_KEY, "eu-1")

      const listed = async (key: string) => (await payin(sandbox.url, "GET", "/orders", key)).json
      expect((await listed(CRYPTO)).data.map((o: any) => o.id)).toEqual([own])
      expect((await listed(CRYPTO)).pagination.total).toBe(1)
      expect((await listed(PAYIN_KEY)).data.map((o: any) => o.id)).toEqual([theirs])
      for (const [key, foreign] of [[PAYIN_KEY, own], [CRYPTO, theirs]]) {
        const res = await payin(sandbox.url, "GET", `/orders/${foreign}`, key)
        expect(res.status).toBe(404)
        expect(res.json).toMatchObject({ success: false, code: "ORDER_NOT_FOUND" })
      }
      const row = (await payin(sandbox.url, "GET", `/orders/${own}`, CRYPTO)).json.data
      expect(row.account).toBeUndefined()

      const { deliveries } = await control.payinTransfer(own, { amount: "10" })
      expect(deliveries.map((d) => [d.url, d.status])).toEqual([[crypto.url, 200]])
      expect(eu.received).toEqual([])
      const hook = crypto.received[0]
      const signature = String(hook.headers["x-payin-signature"])
      expect(signedWith(signature, hook.body, CRYPTO_SECRET)).toBe(true)
      expect(signedWith(signature, hook.body, PAYIN_SECRET)).toBe(false)
      expect(JSON.parse(hook.body).data).toMatchObject({ order_id: own, status: "completed" })

      await control.payinTransfer(theirs, { amount: "10" })
      expect(crypto.received).toHaveLength(1)
      expect(signedWith(String(eu.received[0].headers["x-payin-signature"]), eu.received[0].body, PAYIN_SECRET)).toBe(true)

      // Webhooks sent through the control API follow the order's account too.
      await control.payinSendWebhook({ orderId: own, type: "order.completed", variant: "valid" })
      expect(crypto.received).toHaveLength(2)
      expect(eu.received).toHaveLength(1)

      expect((await control.payinOrders()).map((o) => [o.id, o.account])).toEqual([
        [own, "crypto"],
        [theirs, "default"],
      ])
    })

    it("checks duplicate references only among the caller's own orders", async () => {
      await control.payinAddAccount({ apiKey: CRYPTO, webhookSecret: CRYPTO_SECRET })
      await control.payinConfigure({ rejectDuplicateOrderReference: true })
      await newOrder(PAYIN_KEY, "cart_1")
      await newOrder(CRYPTO, "cart_1")
      const again = await payin(sandbox.url, "POST", "/orders", CRYPTO, { orderReference: "cart_1", amount: "1", currency: "USDT", chainId: "tron-nile" })
      expect(again.json.code).toBe("DUPLICATE_ORDER_REFERENCE")
    })

    it("refuses endpoints for a key it does not know", async () => {
      await expect(control.payinSetWebhookEndpoints([{ url: crypto.url }], { apiKey: CRYPTO })).rejects.toThrow(/HTTP 404/)
    })
  })

  it("refuses unknown keys, and forgets added accounts on reset while the built-in keys keep working", async () => {
    expect((await secpaid(sandbox.url, "getMyUnusedLinks", MARKETPLACE, {})).json.ResponseMsg).toBe("Incorrect token or missing token")
    expect((await payin(sandbox.url, "GET", "/orders", CRYPTO)).json).toEqual({ error: "Unauthorized", message: "Invalid API key" })
    await control.secpaidAddAccount({ apiKey: MARKETPLACE })
    await control.payinAddAccount({ apiKey: CRYPTO, webhookSecret: CRYPTO_SECRET })
    expect((await secpaid(sandbox.url, "getMyUnusedLinks", MARKETPLACE, {})).status).toBe(200)
    expect((await payin(sandbox.url, "GET", "/orders", CRYPTO)).status).toBe(200)

    await control.reset()
    const secpaidAfter = await secpaid(sandbox.url, "getMyUnusedLinks", MARKETPLACE, {})
    expect(secpaidAfter.status).toBe(401)
    expect(secpaidAfter.json.ResponseMsg).toBe("Incorrect token or missing token")
    const payinAfter = await payin(sandbox.url, "GET", "/orders", CRYPTO)
    expect(payinAfter.status).toBe(401)
    expect(payinAfter.json).toEqual({ error: "Unauthorized", message: "Invalid API key" })
    expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).status).toBe(200)
    expect((await payin(sandbox.url, "GET", "/orders", PAYIN_KEY)).status).toBe(200)
  })

  it("keeps added accounts, and what they own, across a restart when given a state file", async () => {
    const dir = mkdtempSync(join(tmpdir(), "sandbox-accounts-"))
    const file = join(dir, "state.json")
    try {
      const first = await startTestSandbox({ persistFile: file })
      await first.control.secpaidAddAccount({ apiKey: MARKETPLACE, account: "marketplace" })
      await first.control.payinAddAccount({ apiKey: CRYPTO, webhookSecret: CRYPTO_SECRET, account: "crypto" })
      const link = (await secpaid(first.sandbox.url, "createLink", MARKETPLACE, { amount: "3.00" })).json.data.id
      await first.sandbox.close()

      const second = await startTestSandbox({ persistFile: file })
      try {
        const found = await secpaid(second.sandbox.url, "getMyUnusedLinks", MARKETPLACE, {})
        expect(found.json.data.map((r: any) => r.linktopay_id)).toEqual([link])
        expect((await payin(second.sandbox.url, "GET", "/orders", CRYPTO)).status).toBe(200)
      } finally {
        await second.sandbox.close()
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
