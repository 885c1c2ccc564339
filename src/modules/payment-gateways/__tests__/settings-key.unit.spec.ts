import type { GatewaySettingsSource } from "../../../lib/gateway-runtime"
import type { SavedGatewaySettings } from "../../../lib/gateway-settings"
import { PayInProviderService } from "../../../providers/payin/service"
import { SecPaidProviderService } from "../../../providers/secpaid/service"
import { settingsKeyChoice, settingsKeyFromCradle } from "../settings-key"

const euOptions = { apiKey: "sp_dev_eu_key", backendUrl: "https://shop.example.com" }
const marketplaceOptions = { apiKey: "sp_dev_marketplace_key", backendUrl: "https://shop.example.com" }
const payinOptions = { apiKey: "pk_test_config_key", webhookSecret: "whsec_config", backendUrl: "https://shop.example.com", baseUrl: "http://sandbox.test/payin/api/v1" }

const configModule = (providers: unknown[]) => ({ modules: { payment: { resolve: "@medusajs/medusa/payment", options: { providers } } } })
const twoSecPaidAccounts = configModule([
  { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "eu", options: euOptions },
  { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "marketplace", options: marketplaceOptions },
  { resolve: "medusa-payment-secpaid-payin/providers/payin", id: "payin", options: payinOptions },
])
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }

/**
 * A settings source holding rows as the store keeps them: per provider id, and one row
 * saved per gateway (no provider id) that a registration may fall back to.
 */
function rows(byKey: Record<string, SavedGatewaySettings["values"]>) {
  const asks: Array<{ key?: string; fallbackToGatewayRow?: boolean }> = []
  const saved = (values: Record<string, unknown> | undefined): SavedGatewaySettings =>
    values ? { values: {}, secrets: values as Record<string, string>, problems: [], updatedAt: new Date("2026-01-01T00:00:00Z") } : { values: {}, secrets: {}, problems: [] }
  const src: GatewaySettingsSource = {
    async gatewaySettings(gateway, options = {}) {
      asks.push(options)
      const key = options.key ?? gateway
      return saved(byKey[key] ?? (options.fallbackToGatewayRow ? byKey[gateway] : undefined))
    },
  }
  return { src, asks }
}

describe("which settings row a provider registration uses", () => {
  it("is the registration's provider id; the gateway's row only for the gateway's only registration", () => {
    expect(settingsKeyChoice("secpaid", { providerId: "pp_secpaid_eu" }, 2)).toEqual({ settingsKey: "pp_secpaid_eu", fallbackToGatewayRow: false })
    expect(settingsKeyChoice("secpaid", { providerId: "pp_secpaid_secpaid" }, 1)).toEqual({ settingsKey: "pp_secpaid_secpaid", fallbackToGatewayRow: true })
    // Unknown registration (a provider built outside Medusa): the row saved per gateway, as before.
    expect(settingsKeyChoice("payin", undefined, 1)).toEqual({ settingsKey: "payin", fallbackToGatewayRow: false })
  })

  it("counts the gateway's registrations in the configModule Medusa hands the provider", () => {
    const eu = { gateway: "secpaid" as const, registrationId: "eu", providerId: "pp_secpaid_eu" }
    const payin = { gateway: "payin" as const, registrationId: "payin", providerId: "pp_payin_payin" }
    expect(settingsKeyFromCradle({ configModule: twoSecPaidAccounts }, "secpaid", eu)).toEqual({ settingsKey: "pp_secpaid_eu", fallbackToGatewayRow: false })
    expect(settingsKeyFromCradle({ configModule: twoSecPaidAccounts }, "payin", payin)).toEqual({ settingsKey: "pp_payin_payin", fallbackToGatewayRow: true })
    const throwingCradle = new Proxy({}, { get: () => { throw new Error("Could not resolve 'configModule'.") } })
    expect(settingsKeyFromCradle(throwingCradle, "secpaid", undefined)).toEqual({ settingsKey: "secpaid", fallbackToGatewayRow: false })
  })

  it("two SecPaid registrations each use their own saved API key, and neither the row saved per gateway", async () => {
    const { src, asks } = rows({ secpaid: { apiKey: "sp_dev_legacy_key" }, pp_secpaid_eu: { apiKey: "sp_dev_eu_admin_key" } })
    const cradle = { logger, configModule: twoSecPaidAccounts }
    const eu = new SecPaidProviderService(cradle as never, euOptions, { settingsSource: () => src })
    const marketplace = new SecPaidProviderService(cradle as never, marketplaceOptions, { settingsSource: () => src })
    expect(eu.registration()?.providerId).toBe("pp_secpaid_eu")
    expect((await eu.gatewayRuntime()).options.apiKey).toBe("sp_dev_eu_admin_key")
    // Nothing saved for the marketplace account: its own medusa-config options, not the EU key nor the legacy row.
    expect((await marketplace.gatewayRuntime()).options.apiKey).toBe("sp_dev_marketplace_key")
    expect(asks).toEqual([
      { key: "pp_secpaid_eu", fallbackToGatewayRow: false },
      { key: "pp_secpaid_marketplace", fallbackToGatewayRow: false },
    ])
  })

  it("the gateway's only registration keeps using the settings saved per gateway until it has its own", async () => {
    const { src, asks } = rows({ payin: { apiKey: "pk_test_legacy_admin_key" } })
    const cradle = { logger, configModule: twoSecPaidAccounts }
    const provider = new PayInProviderService(cradle as never, payinOptions, undefined, { settingsSource: () => src })
    expect((await provider.gatewayRuntime()).options.apiKey).toBe("pk_test_legacy_admin_key")
    expect(asks).toEqual([{ key: "pp_payin_payin", fallbackToGatewayRow: true }])
  })

  it("a provider that cannot tell its registration asks for the row saved per gateway", async () => {
    const { src, asks } = rows({ secpaid: { apiKey: "sp_dev_legacy_key" } })
    const provider = new SecPaidProviderService({ logger } as never, euOptions, { settingsSource: () => src })
    expect(provider.registration()).toBeUndefined()
    expect((await provider.gatewayRuntime()).options.apiKey).toBe("sp_dev_legacy_key")
    expect(asks).toEqual([{ key: "secpaid", fallbackToGatewayRow: false }])
  })
})
