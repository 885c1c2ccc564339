import { PaymentSessionStatus } from "@medusajs/framework/utils"

const completePaidCart = jest.fn()
const findCartAndOrderForSession = jest.fn()
jest.mock("../../../lib/complete-paid-cart", () => ({
  completePaidCart: (...args: unknown[]) => completePaidCart(...args),
  findCartAndOrderForSession: (...args: unknown[]) => findCartAndOrderForSession(...args),
}))

import { handleSecPaidReturn, parseSecPaidReturnQuery } from "../browser-return"

const SESSION = { id: "payses_1", provider_id: "pp_secpaid_secpaid", data: { pay_id: "42001", amount: "30.00" }, amount: 30, status: "pending" }

function containerWith(status: PaymentSessionStatus, redirect = { storefrontReturnUrl: "https://store.example/checkout/done", allowedStorefrontOrigins: [] as string[] }) {
  const warnings: string[] = []
  // Stands in for SecPaidProviderService: the lookup recognises the class identifier and the settings runtime.
  class FakeSecPaidProvider {
    static identifier = "secpaid"
    getPaymentStatus = jest.fn(async () => ({ status, data: {} }))
    gatewayRuntime = jest.fn()
    storefrontRedirectConfig = async () => redirect
  }
  const provider = new FakeSecPaidProvider()
  const providers: Record<string, unknown> = { pp_secpaid_secpaid: provider }
  const paymentModule = {
    retrievePaymentSession: jest.fn(async (id: string) => {
      if (id !== SESSION.id) throw new Error("not found")
      return SESSION
    }),
    // As PaymentModuleService of @medusajs/payment 2.21 holds them (see gateway-providers.ts).
    paymentProviderService_: { retrieveProvider: (id: string) => providers[id] },
  }
  const container = {
    resolve: (key: string) => (key === "logger" ? { warn: (m: string) => warnings.push(m), error: jest.fn(), info: jest.fn() } : paymentModule),
  }
  return { container: container as never, provider, warnings }
}

beforeEach(() => {
  completePaidCart.mockReset()
  findCartAndOrderForSession.mockReset()
  findCartAndOrderForSession.mockResolvedValue({ cartId: "cart_1" })
})

describe("SecPaid browser return", () => {
  it("reads the query with &amp; separators and drops malformed values", () => {
    expect(parseSecPaidReturnQuery("/hooks/secpaid/return/payses_1?pay_id=42001&amp;user_id=u&amp;status=success")).toEqual({ pay_id: "42001", user_id: "u", status: "success" })
    expect(parseSecPaidReturnQuery("/x?pay_id=1;drop&status=success").pay_id).toBeUndefined()
    expect(parseSecPaidReturnQuery("/x")).toEqual({})
  })

  it("ignores a claimed success SecPaid does not confirm: pending, no cart completion", async () => {
    const { container, warnings } = containerWith(PaymentSessionStatus.PENDING)
    const result = await handleSecPaidReturn(container, { sessionId: "payses_1", originalUrl: "/hooks/secpaid/return/payses_1?pay_id=42001&status=success" })
    expect(result).toMatchObject({ kind: "redirect", location: "https://store.example/checkout/done?status=pending&cart_id=cart_1" })
    expect(completePaidCart).not.toHaveBeenCalled()
    expect(warnings.join(" ")).toMatch(/claims success, but SecPaid shows the link as pending: unverified/)
  })

  it("completes the cart for a verified payment and redirects with the order", async () => {
    const { container } = containerWith(PaymentSessionStatus.CAPTURED)
    completePaidCart.mockResolvedValue({ cartId: "cart_1", orderId: "order_1" })
    const result = await handleSecPaidReturn(container, { sessionId: "payses_1", originalUrl: "/hooks/secpaid/return/payses_1?status=cancel" })
    expect(completePaidCart).toHaveBeenCalledWith(container, { sessionId: "payses_1", amount: 30 })
    expect(result).toMatchObject({ kind: "redirect", location: "https://store.example/checkout/done?status=paid&cart_id=cart_1&order_id=order_1" })
  })

  it("does not verify again when the order already exists", async () => {
    const { container, provider } = containerWith(PaymentSessionStatus.PENDING)
    findCartAndOrderForSession.mockResolvedValue({ cartId: "cart_1", orderId: "order_9" })
    const result = await handleSecPaidReturn(container, { sessionId: "payses_1", originalUrl: "/r" })
    expect(provider.getPaymentStatus).not.toHaveBeenCalled()
    expect(result.params).toEqual({ status: "paid", cart_id: "cart_1", order_id: "order_9" })
  })

  it.each([
    [PaymentSessionStatus.CANCELED, "canceled"],
    [PaymentSessionStatus.ERROR, "failed"],
  ])("maps %s to %s", async (status, outcome) => {
    const { container } = containerWith(status)
    const result = await handleSecPaidReturn(container, { sessionId: "payses_1", originalUrl: "/r" })
    expect(result.params.status).toBe(outcome)
  })

  it("renders a status page when no storefront return URL is configured", async () => {
    const { container } = containerWith(PaymentSessionStatus.CANCELED, { storefrontReturnUrl: undefined as never, allowedStorefrontOrigins: ["https://store.example"] })
    const result = await handleSecPaidReturn(container, { sessionId: "payses_1", originalUrl: "/r" })
    expect(result).toMatchObject({ kind: "page", httpStatus: 200 })
    expect((result as { html: string }).html).toContain("Payment canceled")
  })

  it("answers an unknown session with a failed page and no redirect", async () => {
    const { container } = containerWith(PaymentSessionStatus.CAPTURED)
    const result = await handleSecPaidReturn(container, { sessionId: "payses_other", originalUrl: "/r?status=success" })
    expect(result).toMatchObject({ kind: "page", httpStatus: 400, params: { status: "failed" } })
    expect(completePaidCart).not.toHaveBeenCalled()
  })
})
