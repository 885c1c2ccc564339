import { Modules } from "@medusajs/framework/utils"
import { registeredPaymentProvider, requireGatewayProvider, resolveGatewayProvider } from "../gateway-providers"

/** A container whose payment module holds the given providers, as PaymentModuleService 2.21 does. */
function containerWith(providers: Record<string, unknown>, paymentModule: unknown = {
  paymentProviderService_: {
    retrieveProvider(id: string) {
      if (!(id in providers)) throw new Error(`Could not resolve Payment Provider: ${id}`)
      return providers[id]
    },
  },
}) {
  return { resolve: (key: string) => (key === Modules.PAYMENT ? paymentModule : undefined) } as never
}

class FakePayIn {
  static identifier = "payin"
  async gatewayRuntime() {
    return {}
  }
}
class FakeSecPaid {
  static identifier = "secpaid"
  async gatewayRuntime() {
    return {}
  }
}

describe("gateway providers", () => {
  it("finds the registered provider of a gateway, or nothing when the shop did not register it", () => {
    const payin = new FakePayIn()
    const container = containerWith({ pp_payin_payin: payin })
    expect(resolveGatewayProvider(container, "payin", "pp_payin_payin")).toBe(payin)
    expect(resolveGatewayProvider(container, "secpaid", "pp_secpaid_secpaid")).toBeUndefined()
  })

  it("names the missing provider of a registration", () => {
    const container = containerWith({ pp_payin_crypto: new FakePayIn() })
    expect(requireGatewayProvider(container, { gateway: "payin", providerId: "pp_payin_crypto" })).toBeInstanceOf(FakePayIn)
    expect(() => requireGatewayProvider(container, { gateway: "secpaid", providerId: "pp_secpaid_eu" })).toThrow(
      /secpaid payment provider pp_secpaid_eu is not registered.*add it to medusa-config\.ts/
    )
  })

  it("finds a provider under another registration id, and only one of the asked gateway", () => {
    const secpaid = new FakeSecPaid()
    const container = containerWith({ pp_secpaid_eu: secpaid, pp_payin_eu: secpaid })
    expect(resolveGatewayProvider(container, "secpaid", "pp_secpaid_eu")).toBe(secpaid)
    expect(resolveGatewayProvider(container, "payin", "pp_payin_eu")).toBeUndefined()
  })

  it("says what to do when the payment module no longer offers the lookup", () => {
    const container = containerWith({}, {})
    expect(() => registeredPaymentProvider(container, "pp_payin_payin")).toThrow(
      /no longer has paymentProviderService_\.retrieveProvider.*update the plugin for this Medusa version/
    )
  })
})
