import { configuredRegistrations, isUrlSafeRegistrationId, ownRegistration, providerIdOf, registrationFromCradle, registrationOfProviderId } from "../registrations"

const euOptions = { apiKey: "eu-key" }
const marketplaceOptions = { apiKey: "marketplace-key" }
const cryptoOptions = { apiKey: "pk_crypto" }

/** As defineConfig leaves it: modules keyed by name. */
const twoSecPaidAccounts = {
  modules: {
    payment: {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: [
          { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "eu", options: euOptions },
          { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "marketplace", options: marketplaceOptions },
          { resolve: "./src/providers/payin", id: "crypto", options: cryptoOptions },
          { resolve: "@medusajs/medusa/payment-stripe", id: "stripe", options: { apiKey: "sk" } },
        ],
      },
    },
    paymentGateways: { resolve: "medusa-payment-secpaid-payin/modules/payment-gateways" },
  },
}

describe("provider ids", () => {
  it("reads the gateway and registration id out of Medusa's provider id, including ids with underscores", () => {
    expect(registrationOfProviderId("pp_secpaid_eu")).toEqual({ gateway: "secpaid", registrationId: "eu", providerId: "pp_secpaid_eu" })
    expect(registrationOfProviderId("pp_payin_crypto_main")).toEqual({ gateway: "payin", registrationId: "crypto_main", providerId: "pp_payin_crypto_main" })
    expect(registrationOfProviderId("pp_secpaid")).toEqual({ gateway: "secpaid", registrationId: "", providerId: "pp_secpaid" })
  })

  it("is not fooled by other providers", () => {
    expect(registrationOfProviderId("pp_stripe_stripe")).toBeUndefined()
    expect(registrationOfProviderId("pp_system_default")).toBeUndefined()
    expect(registrationOfProviderId("pp_secpaidx_eu")).toBeUndefined()
    expect(registrationOfProviderId("pp_secpaid_")).toBeUndefined()
  })

  it("builds the id Medusa gives a registration", () => {
    expect(providerIdOf("secpaid", "eu")).toBe("pp_secpaid_eu")
    expect(providerIdOf("payin", "")).toBe("pp_payin")
  })

  it("accepts registration ids that can stand in a URL path as they are", () => {
    expect(isUrlSafeRegistrationId("eu")).toBe(true)
    expect(isUrlSafeRegistrationId("crypto_main-2")).toBe(true)
    expect(isUrlSafeRegistrationId("")).toBe(false)
    expect(isUrlSafeRegistrationId("../admin")).toBe(false)
    expect(isUrlSafeRegistrationId("eu/x")).toBe(false)
  })
})

describe("registrations declared in medusa-config", () => {
  it("lists every registration of both gateways, in declaration order, and nothing else", () => {
    expect(configuredRegistrations(twoSecPaidAccounts).map(({ options: _, ...r }) => r)).toEqual([
      { gateway: "secpaid", registrationId: "eu", providerId: "pp_secpaid_eu" },
      { gateway: "secpaid", registrationId: "marketplace", providerId: "pp_secpaid_marketplace" },
      { gateway: "payin", registrationId: "crypto", providerId: "pp_payin_crypto" },
    ])
  })

  it("reads modules declared as an array too", () => {
    const asArray = { modules: Object.values(twoSecPaidAccounts.modules) }
    expect(configuredRegistrations(asArray)).toHaveLength(3)
  })

  it("finds nothing in a config without the plugin's providers", () => {
    expect(configuredRegistrations({ modules: {} })).toEqual([])
    expect(configuredRegistrations(undefined)).toEqual([])
  })
})

describe("a provider instance finds its own registration", () => {
  it("by the options object Medusa handed it, when a gateway is registered twice", () => {
    expect(ownRegistration(twoSecPaidAccounts, "secpaid", euOptions)?.providerId).toBe("pp_secpaid_eu")
    expect(ownRegistration(twoSecPaidAccounts, "secpaid", marketplaceOptions)?.providerId).toBe("pp_secpaid_marketplace")
    expect(ownRegistration(twoSecPaidAccounts, "payin", cryptoOptions)?.providerId).toBe("pp_payin_crypto")
  })

  it("as the only registration of its gateway, whatever options it got", () => {
    expect(ownRegistration(twoSecPaidAccounts, "payin", {})?.providerId).toBe("pp_payin_crypto")
  })

  it("not at all when two registrations of the gateway cannot be told apart", () => {
    const shared = { apiKey: "same" }
    const config = {
      modules: {
        payment: {
          options: {
            providers: [
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "a", options: shared },
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "b", options: shared },
            ],
          },
        },
      },
    }
    expect(ownRegistration(config, "secpaid", shared)).toBeUndefined()
    expect(ownRegistration(twoSecPaidAccounts, "secpaid", { apiKey: "eu-key" })).toBeUndefined()
  })
})

describe("a provider's cradle", () => {
  it("gives the registration through its configModule", () => {
    expect(registrationFromCradle({ configModule: twoSecPaidAccounts }, "secpaid", marketplaceOptions)?.registrationId).toBe("marketplace")
  })

  it("without configModule (unit tests) or with a cradle that throws for it, leaves the registration unknown", () => {
    expect(registrationFromCradle({ logger: console }, "secpaid", euOptions)).toBeUndefined()
    const throwing = new Proxy({}, { get: () => { throw new Error("Could not resolve 'configModule'") } })
    expect(registrationFromCradle(throwing, "secpaid", euOptions)).toBeUndefined()
  })
})
