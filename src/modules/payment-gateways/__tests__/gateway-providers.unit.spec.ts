import { Modules } from "@medusajs/framework/utils"
import { GATEWAY_PROVIDER_IDS, resolveGatewayProvider, resolveRefreshedGatewayProvider } from "../gateway-providers"

/** A container whose payment module holds the given providers, as PaymentModuleService 2.21 does. */
function containerWith(providers: Record<string, unknown>) {
  const paymentModule = {
    paymentProviderService_: {
      retrieveProvider(id: string) {
        if (!(id in providers)) throw new Error(`Could not resolve Payment Provider: ${id}`)
        return providers[id]
      },
    },
  }
  return { resolve: (key: string) => (key === Modules.PAYMENT ? paymentModule : undefined) } as any
}

describe("gateway providers", () => {
  it("finds the registered provider of a gateway, or nothing when the shop did not register it", () => {
    const payin = { name: "payin provider" }
    const container = containerWith({ [GATEWAY_PROVIDER_IDS.payin]: payin })
    expect(resolveGatewayProvider(container, "payin")).toBe(payin)
    expect(resolveGatewayProvider(container, "secpaid")).toBeUndefined()
  })

  it("loads the admin-saved settings before handing the provider out, so its accessors are current", async () => {
    const calls: string[] = []
    let key = "config-key"
    const provider = {
      refreshGatewaySettings: async () => {
        calls.push("refresh")
        key = "admin-key"
      },
      webhookSecret: () => key,
    }
    const container = containerWith({ [GATEWAY_PROVIDER_IDS.payin]: provider })
    const resolved = await resolveRefreshedGatewayProvider(container, "payin")
    expect(calls).toEqual(["refresh"])
    expect(resolved?.webhookSecret()).toBe("admin-key")
    expect(await resolveRefreshedGatewayProvider(container, "secpaid")).toBeUndefined()
  })
})
