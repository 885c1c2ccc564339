import { sessionText } from "../../../lib/gateway-adapter"
import { gatewayAdapter } from "../gateway-adapters"

describe("gateway adapters", () => {
  it("read SecPaid's facts from the session data its provider wrote", () => {
    const adapter = gatewayAdapter("secpaid")
    expect(adapter).toMatchObject({ gateway: "secpaid", label: "SecPaid", referenceLabel: "Link id" })
    expect(
      adapter.summarizeSessionData({ pay_id: 4711, pay_link: "https://pay.example/l/4711", secpaid_status: "success", paid_amount: "30.00", payin_order_id: "x" })
    ).toEqual({ reference: "4711", paymentUrl: "https://pay.example/l/4711", gatewayStatus: "success", receivedAmount: "30.00" })
  })

  it("read PayIn's facts from the session data its provider wrote", () => {
    const adapter = gatewayAdapter("payin")
    expect(adapter).toMatchObject({ gateway: "payin", label: "PayIn", referenceLabel: "PayIn order id" })
    expect(
      adapter.summarizeSessionData({ payin_order_id: "ord_1", payment_url: "https://payin.example/p/ord_1", payin_status: "completed", confirmed_received: "32.25", pay_id: "1" })
    ).toEqual({ reference: "ord_1", paymentUrl: "https://payin.example/p/ord_1", gatewayStatus: "completed", receivedAmount: "32.25" })
  })

  it("answer null for facts the session does not have", () => {
    expect(gatewayAdapter("payin").summarizeSessionData({})).toEqual({ reference: null, paymentUrl: null, gatewayStatus: null, receivedAmount: null })
  })

  it("never turn a fractional number into an amount string", () => {
    expect(sessionText(30.1)).toBeNull()
    expect(sessionText(12)).toBe("12")
    expect(sessionText("")).toBeNull()
    expect(sessionText({ value: "1" })).toBeNull()
  })

  it("parse options with the provider's own parser: defaults filled in, a bad option named in the thrown sentence", () => {
    const parsed = gatewayAdapter("secpaid").parseOptions({ apiKey: "sp_dev_key", backendUrl: "https://shop.example.com" })
    expect(parsed).toMatchObject({ apiKey: "sp_dev_key", environment: "development", cancellable: true })
    expect(() => gatewayAdapter("payin").parseOptions({ apiKey: "pk_x", backendUrl: "https://shop.example.com" })).toThrow(/webhookSecret/)
  })

  it("say where each gateway posts: SecPaid its registration's route unless a payment endpoint is set, PayIn the bare route for one account", () => {
    const base = { backendUrl: "https://shop.example.com", options: {}, registrationsOfGateway: 2 }
    expect(gatewayAdapter("secpaid").webhookUrl({ ...base, registrationId: "eu" }).url).toBe("https://shop.example.com/hooks/secpaid/eu")
    expect(gatewayAdapter("secpaid").webhookUrl({ ...base, registrationId: "eu", options: { paymentEndpoint: ["0", "https://hooks.example.com/sp"] } }).url).toBe(
      "https://hooks.example.com/sp"
    )
    expect(gatewayAdapter("payin").webhookUrl({ ...base, registrationId: "crypto" }).url).toBe("https://shop.example.com/hooks/payin/crypto")
    expect(gatewayAdapter("payin").webhookUrl({ ...base, registrationId: "crypto", registrationsOfGateway: 1 }).url).toBe("https://shop.example.com/hooks/payin")
  })
})
