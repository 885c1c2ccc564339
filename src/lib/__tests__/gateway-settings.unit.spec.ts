import { configuredProviderOptions, decodeSavedGatewaySettings, effectiveGatewayOptions, secretContext } from "../gateway-settings"
import { resolveSecretBoxKey, sealSecret } from "../secret-box"

const devKey = (() => {
  const k = resolveSecretBoxKey({ NODE_ENV: "test" })
  if (!k.ok) throw new Error(k.reason)
  return k.key
})()
const seal = (gateway: "secpaid" | "payin", name: string, value: string) => sealSecret(value, secretContext(gateway, name), devKey)

describe("effective gateway options", () => {
  it("lays admin values over medusa-config and names each source", () => {
    const effective = effectiveGatewayOptions(
      "secpaid",
      { apiKey: "config-key", environment: "development", backendUrl: "https://shop.example.com" },
      { values: { environment: "production", cancellable: false }, secrets: { apiKey: "admin-key" }, problems: [] }
    )
    expect(effective.options).toMatchObject({ apiKey: "admin-key", environment: "production", cancellable: false, backendUrl: "https://shop.example.com" })
    expect(effective.sources).toMatchObject({ apiKey: "admin", environment: "admin", cancellable: "admin", bankTransfer: "default", encryptionKey: "default" })
    expect(effective.enabled).toBe(true)
    expect(effective.options).not.toHaveProperty("enabled")
    expect(effective.version).not.toBe("config")
  })

  it("is the medusa-config options, version \"config\", when nothing is saved", () => {
    const effective = effectiveGatewayOptions("payin", { apiKey: "pk_x", webhookSecret: "whsec_y" }, { values: {}, secrets: {}, problems: [] })
    expect(effective.options).toEqual({ apiKey: "pk_x", webhookSecret: "whsec_y" })
    expect(effective.sources).toMatchObject({ apiKey: "medusa-config", webhookSecret: "medusa-config", defaultToken: "default" })
    expect(effective.version).toBe("config")
  })

  it("finds each provider's medusa-config options, also when the package name contains both gateway names", () => {
    const configModule = {
      modules: [
        { resolve: "./src/modules/payment-gateways" },
        {
          resolve: "@medusajs/medusa/payment",
          options: {
            providers: [
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "secpaid", options: { apiKey: "sp" } },
              { resolve: "medusa-payment-secpaid-payin/providers/payin", id: "payin", options: { apiKey: "pk" } },
            ],
          },
        },
      ],
    }
    expect(configuredProviderOptions(configModule, "secpaid")).toEqual({ apiKey: "sp" })
    expect(configuredProviderOptions(configModule, "payin")).toEqual({ apiKey: "pk" })
    expect(configuredProviderOptions({ modules: {} }, "payin")).toEqual({})
  })

  it("finds the options of one registration when a gateway is registered several times", () => {
    const configModule = {
      modules: {
        payment: {
          resolve: "@medusajs/medusa/payment",
          options: {
            providers: [
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "eu", options: { apiKey: "sp_eu" } },
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "marketplace", options: { apiKey: "sp_marketplace" } },
              { resolve: "medusa-payment-secpaid-payin/providers/payin", id: "crypto", options: { apiKey: "pk" } },
            ],
          },
        },
      },
    }
    expect(configuredProviderOptions(configModule, "secpaid", "eu")).toEqual({ apiKey: "sp_eu" })
    expect(configuredProviderOptions(configModule, "secpaid", "marketplace")).toEqual({ apiKey: "sp_marketplace" })
    // Not registered under that id: with several registrations none answers, with one that one does.
    expect(configuredProviderOptions(configModule, "secpaid", "secpaid")).toEqual({})
    expect(configuredProviderOptions(configModule, "payin")).toEqual({ apiKey: "pk" })
  })
})

describe("saved settings rows", () => {
  it("decrypts saved secrets and reports ones that cannot be opened, without the value", () => {
    const saved = decodeSavedGatewaySettings("payin", {
      values: { environment: "mainnet", unknown: 1 },
      secrets: { apiKey: seal("payin", "apiKey", "pk_admin"), webhookSecret: seal("payin", "apiKey", "whsec_moved") },
      updated_at: new Date("2026-01-01T00:00:00Z"),
      updated_by: "user_1",
    })
    expect(saved.values).toEqual({ environment: "mainnet" })
    expect(saved.secrets).toEqual({ apiKey: "pk_admin" })
    expect(saved.problems).toHaveLength(1)
    expect(saved.problems[0]).not.toContain("whsec_moved")
    expect(saved.updatedBy).toBe("user_1")
  })

  it("is nothing saved when there is no row", () => {
    expect(decodeSavedGatewaySettings("secpaid", undefined)).toEqual({ values: {}, secrets: {}, problems: [] })
  })
})
