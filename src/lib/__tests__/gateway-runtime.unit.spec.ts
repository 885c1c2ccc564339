import { GatewaySettingsStore } from "../../modules/payment-gateways/gateway-settings-store"
import { PayInProviderService } from "../../providers/payin/service"
import { SecPaidProviderService } from "../../providers/secpaid/service"
import { GatewaySettingsRuntime, type GatewaySettingsSource } from "../gateway-runtime"
import type { SavedGatewaySettings } from "../gateway-settings"

type Options = { apiKey: string; environment: string; cancellable?: boolean }
type Client = { apiKey: string; serial: number }

const nothingSaved = (): SavedGatewaySettings => ({ values: {}, secrets: {}, problems: [] })

/** A settings source answering from a mutable saved row, counting its reads. */
function source(initial: SavedGatewaySettings = nothingSaved()) {
  const state = { saved: initial, reads: 0, fail: undefined as Error | undefined, keys: [] as string[] }
  let stamp = 0
  const src: GatewaySettingsSource = {
    async gatewaySettings(_gateway, options) {
      state.reads++
      state.keys.push(options?.key ?? "")
      if (state.fail) throw state.fail
      return state.saved
    },
  }
  const save = (values: Record<string, unknown>, secrets: Record<string, string> = {}) => {
    state.saved = { values, secrets, problems: [], updatedAt: new Date(Date.UTC(2026, 0, 1, 0, 0, ++stamp)) }
  }
  return { src, state, save }
}

function runtime(src: GatewaySettingsSource | undefined, { settingsKey, warnings = [] }: { settingsKey?: string; warnings?: string[] } = {}) {
  let built = 0
  const parse = (raw: Record<string, unknown>): Options => {
    if (typeof raw.apiKey !== "string" || !raw.apiKey) throw new Error("Option `apiKey` is required.")
    if (raw.environment !== undefined && raw.environment !== "development" && raw.environment !== "production") {
      throw new Error("Option `environment` must be development or production.")
    }
    return { apiKey: raw.apiKey, environment: String(raw.environment ?? "development"), cancellable: raw.cancellable as boolean | undefined }
  }
  const configOptions = { apiKey: "config-key", environment: "development" }
  const configClient: Client = { apiKey: "config-key", serial: 0 }
  const rt = new GatewaySettingsRuntime<Options, Client>({
    gateway: "secpaid",
    settingsKey,
    configOptions,
    config: { options: parse(configOptions), client: configClient },
    parse,
    buildClient: (o) => ({ apiKey: o.apiKey, serial: ++built }),
    source: () => src,
    logger: { warn: (m) => warnings.push(m) },
  })
  return { rt, configClient, builds: () => built }
}

describe("gateway settings runtime", () => {
  it("without the plugin module uses the medusa-config options and client as they are", async () => {
    const { rt, configClient, builds } = runtime(undefined)
    const state = await rt.current()
    expect(state).toMatchObject({ options: { apiKey: "config-key", environment: "development" }, enabled: true, version: "config" })
    expect(state.client).toBe(configClient)
    expect(builds()).toBe(0)
  })

  it("lays admin values over medusa-config per call: admin → medusa-config → default", async () => {
    const { src, save } = source()
    const { rt, configClient } = runtime(src)
    expect((await rt.current()).client).toBe(configClient)

    save({ environment: "production" }, { apiKey: "admin-key" })
    const state = await rt.current()
    expect(state.options).toEqual({ apiKey: "admin-key", environment: "production", cancellable: undefined })
    expect(state.client.apiKey).toBe("admin-key")

    // Removing the admin values brings medusa-config back, with the client built from it at boot.
    save({})
    expect((await rt.current()).client).toBe(configClient)
  })

  it("asks for the settings on every call, under its settings key", async () => {
    const { src, state } = source()
    const { rt } = runtime(src, { settingsKey: "secpaid-eu" })
    await rt.current()
    await rt.current()
    expect(state.reads).toBe(2)
    expect(state.keys).toEqual(["secpaid-eu", "secpaid-eu"])
    expect(runtime(src).rt.settingsKey).toBe("secpaid")
  })

  it("builds one client per settings version and reuses it until the saved row changes", async () => {
    const { src, save } = source()
    const { rt, builds } = runtime(src)
    save({}, { apiKey: "admin-key-1" })
    const first = await rt.current()
    for (let i = 0; i < 5; i++) expect((await rt.current()).client).toBe(first.client)
    expect(builds()).toBe(1)
    save({}, { apiKey: "admin-key-2" })
    const second = await rt.current()
    expect(second.client).not.toBe(first.client)
    expect(second.client.apiKey).toBe("admin-key-2")
    expect(builds()).toBe(2)
  })

  it("refuses new payments when switched off, but still hands out the state for existing ones", async () => {
    const { src, save } = source()
    const { rt } = runtime(src)
    save({ enabled: false })
    await expect(rt.forNewPayment()).rejects.toThrow("SecPaid is switched off in Settings → Payment gateways; choose another payment method or switch it on again.")
    expect(await rt.current()).toMatchObject({ enabled: false, options: { apiKey: "config-key" } })
    save({ enabled: true })
    expect(await rt.forNewPayment()).toMatchObject({ enabled: true })
  })

  it("keeps the last known settings when the read fails, and warns once", async () => {
    const warnings: string[] = []
    const { src, state, save } = source()
    const { rt } = runtime(src, { warnings })
    save({}, { apiKey: "admin-key" })
    const known = await rt.current()
    state.fail = new Error("connection terminated")
    expect(await rt.current()).toBe(known)
    expect(await rt.current()).toBe(known)
    expect(warnings).toEqual([expect.stringContaining("could not read the saved SecPaid settings (connection terminated)")])
  })

  it("fails the call with the parser's sentence when saved settings do not make valid options, and recovers once they do", async () => {
    const { src, save } = source()
    const { rt } = runtime(src)
    save({ environment: "staging" })
    await expect(rt.current()).rejects.toThrow("Option `environment` must be development or production.")
    save({ environment: "production" })
    expect((await rt.current()).options.environment).toBe("production")
  })

  it("sees a change saved on another instance within the module's 20 s cache, with no timer of its own", async () => {
    let now = 5_000_000
    const rows: Array<{ values: Record<string, unknown>; secrets: Record<string, string>; updated_at: Date; updated_by: null }> = []
    const pg = { raw: async () => ({ rows }) }
    const store = new GatewaySettingsStore(pg as never, undefined, 20_000, () => now)
    const src: GatewaySettingsSource = { gatewaySettings: (gateway, o) => store.cached(gateway, o?.key) }
    const { rt } = runtime(src)
    expect((await rt.current()).options.environment).toBe("development")
    // Saved elsewhere: this process's copy is not replaced.
    rows.push({ values: { environment: "production" }, secrets: {}, updated_at: new Date(), updated_by: null })
    now += 10_000
    expect((await rt.current()).options.environment).toBe("development")
    now += 10_000
    expect((await rt.current()).options.environment).toBe("production")
  })
})

describe("the real providers ask the runtime on every call", () => {
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }
  const payinConfig = { apiKey: "pk_test_config_key", webhookSecret: "whsec_config", backendUrl: "https://shop.example.com", baseUrl: "http://sandbox.test/payin/api/v1" }

  const apiKeyOf = (client: unknown) => (client as { config: { apiKey: string } }).config.apiKey

  it("PayIn: gatewayClient(), webhookSecret() and gatewayRuntime() follow what the admin saved", async () => {
    const { src, save } = source()
    const provider = new PayInProviderService({ logger } as never, payinConfig, undefined, { settingsSource: () => src })
    expect(await provider.webhookSecret()).toBe("whsec_config")
    const configClient = await provider.gatewayClient()
    expect(apiKeyOf(configClient)).toBe("pk_test_config_key")

    save({ environment: "mainnet" }, { apiKey: "pk_test_admin_key", webhookSecret: "whsec_admin" })
    expect(await provider.webhookSecret()).toBe("whsec_admin")
    const adminClient = await provider.gatewayClient()
    expect(apiKeyOf(adminClient)).toBe("pk_test_admin_key")
    expect((await provider.gatewayRuntime()).client).toBe(adminClient)
    expect((await provider.gatewayRuntime()).options.environment).toBe("mainnet")
  })

  it("PayIn: refuses initiatePayment when switched off, with the sentence the admin page explains", async () => {
    const { src, save } = source()
    save({ enabled: false })
    const provider = new PayInProviderService({ logger } as never, payinConfig, undefined, { settingsSource: () => src })
    await expect(provider.initiatePayment({ amount: 10, currency_code: "usd", data: { session_id: "payses_1" } })).rejects.toThrow(
      "PayIn is switched off in Settings → Payment gateways; choose another payment method or switch it on again."
    )
  })

  it("SecPaid: webhookEncryptionKey(), storefrontRedirectConfig() and gatewayClient() follow what the admin saved", async () => {
    const key = "0123456789abcdef0123456789ABCDEF"
    const { src, save } = source()
    const provider = new SecPaidProviderService({ logger } as never, { apiKey: "sp_dev_config_key", backendUrl: "https://shop.example.com" }, { settingsSource: () => src })
    expect(await provider.webhookEncryptionKey()).toBeUndefined()
    const before = await provider.gatewayClient()
    save({ storefrontReturnUrl: "https://store.example/done" }, { encryptionKey: key, apiKey: "sp_dev_admin_key" })
    expect(await provider.webhookEncryptionKey()).toBe(key)
    expect((await provider.storefrontRedirectConfig()).storefrontReturnUrl).toBe("https://store.example/done")
    const after = await provider.gatewayClient()
    expect(after).not.toBe(before)
    expect(await provider.gatewayClient()).toBe(after)
  })
})
