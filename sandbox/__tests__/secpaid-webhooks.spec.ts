import { SANDBOX_SECPAID_DEV_KEY as DEV, SANDBOX_SECPAID_USER_ID as USER } from "../credentials"
import type { RunningSandbox } from "../server"
import type { SandboxControl } from "../control-client"
import { decryptSecPaidPayload, encryptSecPaidPayload } from "../secpaid/webhooks"
import { secpaid, startReceiver, startTestSandbox } from "./helpers"

describe("SecPaid hosted page, redirects and webhooks", () => {
  let sandbox: RunningSandbox
  let control: SandboxControl
  let receiver: Awaited<ReturnType<typeof startReceiver>>
  beforeAll(async () => {
    ;({ sandbox, control } = await startTestSandbox())
    receiver = await startReceiver()
  })
  afterAll(async () => {
    await sandbox.close()
    await receiver.close()
  })
  beforeEach(async () => {
    await control.reset()
    receiver.received.length = 0
  })

  async function createLink(extra: Record<string, unknown> = {}) {
    const res = await secpaid(sandbox.url, "createLink", DEV, {
      amount: "30.50",
      recipient_note: "cart_42",
      callback_url: "https://shop.example/return",
      payment_endpoint: receiver.url,
      ...extra,
    })
    expect(res.json.ResponseCode).toBe(1)
    return res.json.data as { id: string; pay_link: string }
  }

  it("shows amount, note, Pay and Cancel on the hosted page; Cancel only when cancellable", async () => {
    const link = await createLink()
    const html = await (await fetch(link.pay_link)).text()
    expect(html).toContain('<span id="amount">30.50</span>')
    expect(html).toContain("cart_42")
    expect(html).toContain('id="pay"')
    expect(html).toContain('id="cancel"')
    const fixed = await createLink({ is_cancellation: "No" })
    expect(await (await fetch(fixed.pay_link)).text()).not.toContain('id="cancel"')
    expect((await fetch(`${sandbox.url}/secpaid/payment?link_id=${Buffer.from("1").toString("base64")}`)).status).toBe(404)
  })

  it("pays through the page form: link Used, Success row, form-urlencoded webhook, 303 to callback_url", async () => {
    const link = await createLink()
    const linkId = new URL(link.pay_link).searchParams.get("link_id")!
    const res = await fetch(`${sandbox.url}/secpaid/payment/pay`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ link_id: linkId }).toString(),
      redirect: "manual",
    })
    expect(res.status).toBe(303)
    expect(res.headers.get("location")).toBe(`https://shop.example/return?pay_id=${link.id}&user_id=${USER}&status=success`)
    expect(receiver.received).toHaveLength(1)
    const hook = receiver.received[0]
    expect(hook.headers["content-type"]).toBe("application/x-www-form-urlencoded")
    expect(hook.body).toBe(`ResponseCode=1&data%5Bpay_id%5D=${link.id}&data%5Bamount%5D=30.50&data%5Buser_id%5D=${USER}&data%5Bstatus%5D=success`)
    expect((await control.secpaidLink(link.id)).status).toBe("Used")
    const again = await fetch(`${sandbox.url}/secpaid/payment/pay`, { method: "POST", body: new URLSearchParams({ link_id: linkId }), redirect: "manual" })
    expect(again.status).toBe(409)
    expect(receiver.received).toHaveLength(1)
  })

  it("sends JSON flat bracket keys when configured, with numbers written as numbers", async () => {
    const link = await createLink()
    await control.secpaidConfigure({ webhookFormat: "json-flat" })
    const { deliveries } = await control.secpaidPay(link.id)
    expect(deliveries).toEqual([expect.objectContaining({ gateway: "secpaid", url: receiver.url, status: 200, attempt: 1 })])
    expect(receiver.received[0].headers["content-type"]).toBe("application/json")
    expect(receiver.received[0].body).toBe(
      `{"ResponseCode":1,"data[pay_id]":${link.id},"data[amount]":30.50,"data[user_id]":"${USER}","data[status]":"success"}`
    )
  })

  it("sends nested JSON when asked per payment", async () => {
    const link = await createLink()
    await control.secpaidPay(link.id, { webhookFormat: "json-nested" })
    expect(JSON.parse(receiver.received[0].body)).toEqual({
      ResponseCode: 1,
      data: { pay_id: Number(link.id), note: "cart_42", amount: 30.5, user_id: USER, status: "Success" },
    })
  })

  it("cancels: status=cancel redirect and a webhook whose flat status key is data[Status]", async () => {
    const link = await createLink()
    await control.secpaidConfigure({ webhookFormat: "json-flat" })
    const { redirectUrl } = await control.secpaidCancel(link.id)
    expect(redirectUrl).toBe(`https://shop.example/return?pay_id=${link.id}&user_id=${USER}&status=cancel`)
    const body = JSON.parse(receiver.received[0].body)
    expect(body["data[Status]"]).toBe("cancel")
    expect(body["data[status]"]).toBeUndefined()
    expect((await secpaid(sandbox.url, "getPayInTransactions", DEV, { pay_id: link.id })).json.data).toEqual([])
  })

  it("separates the callback query with &amp; when configured", async () => {
    await control.secpaidConfigure({ ampersandRedirects: true })
    const link = await createLink()
    const { redirectUrl } = await control.secpaidPay(link.id)
    expect(redirectUrl).toBe(`https://shop.example/return?pay_id=${link.id}&amp;user_id=${USER}&amp;status=success`)
  })

  it("encrypts the webhook with AES-256-CBC (key = 32 chars, IV = first 16) when the link asks for it", async () => {
    const key = "0123456789abcdef0123456789abcdef"
    const link = await createLink({ is_encryption: "true", encryption_key: key })
    await control.secpaidPay(link.id)
    const body = JSON.parse(receiver.received[0].body)
    expect(Object.keys(body)).toEqual(["data"])
    const plaintext = JSON.parse(decryptSecPaidPayload(body.data, key))
    expect(plaintext).toEqual({ ResponseCode: 1, data: { pay_id: Number(link.id), note: "cart_42", amount: 30.5, user_id: USER, status: "Success" } })
  })

  it("matches an AES known-answer vector computed independently with node:crypto", () => {
    const key = "0123456789abcdef0123456789abcdef"
    expect(encryptSecPaidPayload('{"ResponseCode":1}', key)).toBe("sVjjaysK/CXFvZ1C1iqpCKSZT/X1z9vFAhlnbEggm3w=")
    expect(decryptSecPaidPayload("sVjjaysK/CXFvZ1C1iqpCKSZT/X1z9vFAhlnbEggm3w=", key)).toBe('{"ResponseCode":1}')
  })

  it("posts to every payment endpoint and never retries a failing one", async () => {
    const failing = await startReceiver(() => 500)
    try {
      const link = await createLink({ payment_endpoint: `${receiver.url},${failing.url}` })
      const { deliveries } = await control.secpaidPay(link.id)
      expect(deliveries.map((d) => d.status)).toEqual([200, 500])
      await new Promise((r) => setTimeout(r, 150))
      expect(failing.received).toHaveLength(1)
    } finally {
      await failing.close()
    }
  })

  it("sends a forged success webhook for a link nobody paid", async () => {
    const link = await createLink()
    const { deliveries } = await control.secpaidSendWebhook({ payId: link.id, status: "success", to: receiver.url })
    expect(deliveries[0].status).toBe(200)
    expect(receiver.received[0].body).toContain("data%5Bstatus%5D=success")
    expect((await control.secpaidLink(link.id)).status).toBe("Unused")
  })

  it("drops and duplicates webhooks on request", async () => {
    await control.webhookBehaviour({ gateway: "secpaid", mode: "drop", count: 1 })
    const dropped = await createLink()
    const first = await control.secpaidPay(dropped.id)
    expect(first.deliveries[0].error).toMatch(/dropped/)
    expect(receiver.received).toHaveLength(0)
    await control.webhookBehaviour({ gateway: "secpaid", mode: "duplicate", count: 1 })
    const duplicated = await createLink()
    await control.secpaidPay(duplicated.id)
    expect(receiver.received).toHaveLength(2)
    expect(receiver.received[0].body).toBe(receiver.received[1].body)
  })
})
