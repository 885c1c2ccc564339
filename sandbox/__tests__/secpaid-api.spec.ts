import { SANDBOX_SECPAID_DEV_KEY as DEV, SANDBOX_SECPAID_PROD_KEY as PROD } from "../credentials"
import type { RunningSandbox } from "../server"
import type { SandboxControl } from "../control-client"
import { secpaid, startTestSandbox } from "./helpers"

describe("SecPaid API", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  beforeAll(async () => ({ sandbox, control } = await startTestSandbox()))
  afterAll(() => sandbox.close())
  beforeEach(() => control.reset())

  const create = (body: Record<string, unknown>, token = DEV, form = false) => secpaid(sandbox.url, "createLink", token, body, form)

  describe("authentication", () => {
    it("asks for a token when the header is missing, with HTTP 401 and the envelope", async () => {
      const res = await secpaid(sandbox.url, "createLink", undefined, { amount: "10.00" })
      expect(res.status).toBe(401)
      expect(res.json).toEqual({ ResponseCode: 0, ResponseMsg: "Please enter token", Result: "False", ServerTime: "CEST", data: [] })
    })

    it("rejects an unknown token", async () => {
      const res = await create({ amount: "10.00" }, "nope")
      expect(res.status).toBe(401)
      expect(res.json.ResponseMsg).toBe("Incorrect token or missing token")
    })

    it("keeps development and production apart: a link of one environment is not found with the other key", async () => {
      const created = await create({ amount: "10.00", recipient_note: "env" }, PROD)
      const payId = created.json.data.id
      expect((await secpaid(sandbox.url, "deleteLink", DEV, { link_id: payId })).json.ResponseMsg).toBe("Link not found")
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).json.data).toEqual([])
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", PROD, {})).json.data).toHaveLength(1)
      expect((await control.secpaidLink(payId)).environment).toBe("production")
    })

    it("puts an x-kong-request-id header on every answer, errors included", async () => {
      const ok = await create({ amount: "1.00" })
      const bad = await create({ amount: "1.00" }, "nope")
      expect(ok.headers.get("x-kong-request-id")).toMatch(/^[0-9a-f-]{36}$/)
      expect(bad.headers.get("x-kong-request-id")).toMatch(/^[0-9a-f-]{36}$/)
    })
  })

  describe("createLink", () => {
    it("accepts a form-urlencoded body and answers the documented envelope with numbers as strings", async () => {
      const res = await create(
        { amount: "30", recipient_note: "order_1", callback_url: "https://shop.example/return", payment_endpoint: "https://shop.example/hook", is_cancellation: "No" },
        DEV,
        true
      )
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({ ResponseCode: 1, Result: "True", ServerTime: "CEST", ResponseMsg: "Link created successfully" })
      const data = res.json.data
      expect(data).toMatchObject({ id: "42001", amount: "30.00", status: "Unused", recipient_note: "order_1", is_cancellation: "No" })
      expect(data.linktopay_id).toBeUndefined()
      expect(data.pay_link).toBe(`${sandbox.url}/secpaid/payment?link_id=${Buffer.from("42001").toString("base64")}`)
      expect(typeof data.servicefee).toBe("string")
      const link = await control.secpaidLink("42001")
      expect(link).toMatchObject({ cancellable: false, callback_urls: ["https://shop.example/return"], payment_endpoints: ["https://shop.example/hook"] })
    })

    it("accepts JSON with a numeric amount and the new `cancellable` flag", async () => {
      const res = await create({ amount: 12.5, cancellable: "false" })
      expect(res.json.data.amount).toBe("12.50")
      expect((await control.secpaidLink(res.json.data.id)).cancellable).toBe(false)
    })

    it("answers `linktopay_id` instead of `id` when configured as the old docs generation", async () => {
      await control.secpaidConfigure({ docsGeneration: "old" })
      const res = await create({ amount: "5.00" })
      expect(res.json.data.linktopay_id).toBe("42001")
      expect(res.json.data.id).toBeUndefined()
    })

    it.each([
      [{}, "Amount is required"],
      [{ amount: "" }, "Amount is required"],
      [{ amount: "0" }, "Amount must be a number greater than 0"],
      [{ amount: "-3" }, "Amount must be a number greater than 0"],
      [{ amount: "abc" }, "Amount must be a number greater than 0"],
      [{ amount: "1.00", callback_url: "not a url" }, "Invalid callback_url"],
      [{ amount: "1.00", is_encryption: "true", encryption_key: "short" }, "Encryption key must be 32 characters"],
    ])("refuses %j with HTTP 200, ResponseCode 0 and %s", async (body, message) => {
      const res = await create(body)
      expect(res.status).toBe(200)
      expect(res.json).toMatchObject({ ResponseCode: 0, Result: "False", ResponseMsg: message })
    })

    it("resolves profile indices in callback_url and payment_endpoint, mixed with full URLs", async () => {
      await control.secpaidConfigure({ profileCallbackUrls: ["https://profile.example/cb"], profilePaymentEndpoints: ["https://profile.example/hook"] })
      const res = await create({ amount: "1.00", callback_url: "0", payment_endpoint: "0,https://shop.example/hook" })
      const link = await control.secpaidLink(res.json.data.id)
      expect(link.callback_urls).toEqual(["https://profile.example/cb"])
      expect(link.payment_endpoints).toEqual(["https://profile.example/hook", "https://shop.example/hook"])
      expect((await create({ amount: "1.00", payment_endpoint: "3" })).json.ResponseMsg).toMatch(/^Invalid payment_endpoint/)
    })

    it("refuses a malformed JSON body in the envelope, not with a crash", async () => {
      const res = await fetch(`${sandbox.url}/secpaid/api/v2/createLink`, { method: "POST", headers: { token: DEV, "content-type": "application/json" }, body: "{oops" })
      expect(res.status).toBe(200)
      expect(await res.json()).toMatchObject({ ResponseCode: 0, ResponseMsg: "Invalid request body" })
    })

    it("answers unknown endpoints and GET requests in the envelope", async () => {
      expect((await secpaid(sandbox.url, "nothing", DEV, {})).status).toBe(404)
      const get = await fetch(`${sandbox.url}/secpaid/api/v2/createLink`, { headers: { token: DEV } })
      expect(get.status).toBe(405)
      expect((await get.json()).Result).toBe("False")
    })
  })

  describe("createSplitLink", () => {
    const split = (body: Record<string, unknown>) => secpaid(sandbox.url, "createSplitLink", DEV, body)

    it("creates a split link; recipients come back as a JSON string", async () => {
      const res = await split({ amount: "100.00", recipients: [{ token: "partner-a", share: 30 }, { token: "partner-b", share: "20" }] })
      expect(res.json).toMatchObject({ ResponseCode: 1, data: { is_split_link: "true", split_type: "normal" } })
      expect(JSON.parse(res.json.data.recipients)).toEqual([{ token: "partner-a", share: "30.00" }, { token: "partner-b", share: "20.00" }])
    })

    it.each([
      [{ amount: "10.00" }, "Recipients are required"],
      [{ amount: "10.00", recipients: [{ token: "a", share: 10 }, { token: DEV, share: 10 }] }, "Invalid recipient token at index 1"],
      [{ amount: "10.00", recipients: [{ share: 10 }] }, "Invalid recipient token at index 0"],
      [{ amount: "10.00", recipients: [{ token: "a", share: 101 }] }, "Invalid recipient share at index 0"],
      [{ amount: "10.00", recipients: [{ token: "a", share: 60 }, { token: "b", share: 50 }] }, "Total share exceeds 100 percent"],
      [{ amount: "10.00", split_type: "absolute", recipients: [{ token: "a", share: "6.00" }, { token: "b", share: "4.01" }] }, "Total share exceeds amount"],
    ])("refuses %j: %s", async (body, message) => {
      expect((await split(body)).json).toMatchObject({ ResponseCode: 0, ResponseMsg: message })
    })

    it("accepts absolute shares up to the amount", async () => {
      const res = await split({ amount: "10.00", split_type: "absolute", recipients: [{ token: "a", share: "6.00" }, { token: "b", share: "4.00" }] })
      expect(res.json.ResponseCode).toBe(1)
    })
  })

  describe("lists, deleteLink and refunds", () => {
    it("lists unused links (cancelled ones flagged), used links, and searches the note partially", async () => {
      const a = (await create({ amount: "1.00", recipient_note: "cart_abc" })).json.data.id
      const b = (await create({ amount: "2.00", recipient_note: "cart_def" })).json.data.id
      const c = (await create({ amount: "3.00", recipient_note: "other" })).json.data.id
      await control.secpaidPay(a)
      await control.secpaidCancel(b)
      const unused = (await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).json
      expect(unused.ResponseMsg).toBe("List retrived successfully")
      expect(unused.data.map((r: any) => [r.linktopay_id, r.is_cancelled])).toEqual([[c, "No"], [b, "Yes"]])
      const used = (await secpaid(sandbox.url, "getMyUsedLinks", DEV, {})).json.data
      expect(used).toHaveLength(1)
      expect(used[0]).toMatchObject({ linktopay_id: a, amount: "1.00" })
      expect(used[0].paid_on).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/)
      const searched = (await secpaid(sandbox.url, "getMyUnusedLinks", DEV, { search: "CART" })).json.data
      expect(searched.map((r: any) => r.linktopay_id)).toEqual([b])
    })

    it("limits the unused list to 10 by default", async () => {
      for (let i = 0; i < 12; i++) await create({ amount: "1.00" })
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).json.data).toHaveLength(10)
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, { limit: "3" })).json.data).toHaveLength(3)
    })

    it("deletes only unused links; the page is then a 404", async () => {
      const unused = (await create({ amount: "1.00" })).json.data
      const used = (await create({ amount: "1.00" })).json.data.id
      await control.secpaidPay(used)
      expect((await secpaid(sandbox.url, "deleteLink", DEV, { link_id: used })).json.ResponseMsg).toBe("This link is already used")
      expect((await secpaid(sandbox.url, "deleteLink", DEV, { link_id: unused.id })).json.ResponseCode).toBe(1)
      expect((await secpaid(sandbox.url, "deleteLink", DEV, { link_id: unused.id })).json.ResponseMsg).toBe("Link not found")
      expect((await fetch(unused.pay_link)).status).toBe(404)
    })

    it("pages pay-in rows with limit ≤ 1000, filters by pay_id, search and since", async () => {
      const ids: string[] = []
      for (let i = 0; i < 5; i++) {
        const id = (await create({ amount: `${i + 1}.00`, recipient_note: `note_${i}` })).json.data.id
        await control.secpaidPay(id)
        ids.push(id)
      }
      const tx = (body: Record<string, unknown>) => secpaid(sandbox.url, "getPayInTransactions", DEV, body)
      const page1 = (await tx({ limit: 2, page: 1 })).json.data
      const page3 = (await tx({ limit: 2, page: 3 })).json.data
      expect(page1.map((r: any) => r.pay_id)).toEqual([ids[4], ids[3]])
      expect(page3.map((r: any) => r.pay_id)).toEqual([ids[0]])
      expect((await tx({ limit: 5000 })).json.data).toHaveLength(5)
      expect((await tx({ since: 1 })).json.data).toHaveLength(5)
      expect((await tx({ search: "note_2" })).json.data.map((r: any) => r.pay_id)).toEqual([ids[2]])
      const one = (await tx({ pay_id: ids[1] })).json.data
      expect(one).toEqual([
        expect.objectContaining({ pay_id: ids[1], amount: "2.00", status: "Success", transaction_type: "Basic", is_refund: "No" }),
      ])
      expect(one[0].transaction_id).toMatch(/^\d{8}-pi-\d+$/)
      await control.advanceClock(3 * 86400)
      expect((await tx({ since: 1 })).json.data).toHaveLength(0)
      const unpaid = (await create({ amount: "9.00" })).json.data.id
      expect((await tx({ pay_id: unpaid })).json).toMatchObject({ ResponseCode: 1, data: [] })
    })

    it("accepts one refund request per link, pending until approved, then a Refund row with the same pay_id", async () => {
      const id = (await create({ amount: "30.00" })).json.data.id
      const refund = (body: Record<string, unknown>) => secpaid(sandbox.url, "refundPayment", DEV, body)
      expect((await refund({ pay_id: id, refund_amount: "30.00" })).json.ResponseMsg).toBe("This link is not paid yet")
      await control.secpaidPay(id)
      expect((await refund({ pay_id: id })).json.ResponseMsg).toBe("Refund amount is required")
      expect((await refund({ pay_id: "99999", refund_amount: "1.00" })).json.ResponseMsg).toBe("Link not found")
      expect((await refund({ pay_id: id, refund_amount: "30.01" })).json.ResponseMsg).toBe("Invalid refund amount")
      expect((await refund({ pay_id: id, refund_amount: "10.00" })).json).toMatchObject({ ResponseCode: 1, data: { status: "Pending", refund_amount: "10.00" } })
      expect((await refund({ pay_id: id, refund_amount: "10.00" })).json.ResponseMsg).toBe("Refund already requested")
      const before = (await secpaid(sandbox.url, "getPayInTransactions", DEV, { pay_id: id })).json.data
      expect(before.map((r: any) => r.transaction_type)).toEqual(["Basic"])
      await control.secpaidApproveRefund(id)
      const after = (await secpaid(sandbox.url, "getPayInTransactions", DEV, { pay_id: id })).json.data
      expect(after.map((r: any) => [r.transaction_type, r.amount, r.is_refund])).toEqual([["Basic", "30.00", "No"], ["Refund", "10.00", "Yes"]])
    })

    it("records an unsettled payment as Pending until it is settled", async () => {
      const id = (await create({ amount: "7.00" })).json.data.id
      await control.secpaidPay(id, { transactionStatus: "Pending" })
      const rows = async () => (await secpaid(sandbox.url, "getPayInTransactions", DEV, { pay_id: id })).json.data.map((r: any) => r.status)
      expect(await rows()).toEqual(["Pending"])
      await control.secpaidSettle(id)
      expect(await rows()).toEqual(["Success"])
    })

    it("refuses refunds of cancelled and disputed links with the documented messages", async () => {
      const cancelled = (await create({ amount: "5.00" })).json.data.id
      await control.secpaidCancel(cancelled)
      expect((await secpaid(sandbox.url, "refundPayment", DEV, { pay_id: cancelled, refund_amount: "5.00" })).json.ResponseMsg).toBe("Link is cancelled")
      const disputed = (await create({ amount: "5.00" })).json.data.id
      await control.secpaidPay(disputed)
      await control.secpaidDispute(disputed)
      expect((await secpaid(sandbox.url, "refundPayment", DEV, { pay_id: disputed, refund_amount: "5.00" })).json.ResponseMsg).toBe("Refund blocked by dispute")
    })
  })

  describe("rate limit", () => {
    it("answers HTTP 429 with Retry-After and the envelope after 60 requests a minute per key, and recovers when the window slides", async () => {
      for (let i = 0; i < 60; i++) expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).status).toBe(200)
      const limited = await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})
      expect(limited.status).toBe(429)
      expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1)
      expect(limited.json).toMatchObject({ ResponseCode: 0, Result: "False", ServerTime: "CEST" })
      // The other key has its own window.
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", PROD, {})).status).toBe(200)
      await control.advanceClock(61)
      expect((await secpaid(sandbox.url, "getMyUnusedLinks", DEV, {})).status).toBe(200)
    })
  })
})
