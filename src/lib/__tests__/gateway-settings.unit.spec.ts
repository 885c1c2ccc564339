import {
  cachedSavedGatewaySettings,
  effectiveProviderOptions,
  configuredProviderOptions,
  effectiveGatewayOptions,
  invalidateGatewaySettings,
  readSavedGatewaySettings,
  secretContext,
  withAdminSettings,
} from "../gateway-settings"
import { resolveSecretBoxKey, sealSecret } from "../secret-box"

/** A knex stand-in answering the settings SELECT from a mutable row. */
function fakePg(initial?: { values?: Record<string, unknown>; secrets?: Record<string, string> }) {
  const state = { row: initial ? { values: {}, secrets: {}, ...initial, updated_at: new Date(), updated_by: null } : undefined, reads: 0 }
  const pg = {
    raw: async () => {
      state.reads++
      return { rows: state.row ? [state.row] : [] }
    },
  }
  const save = (next: { values?: Record<string, unknown>; secrets?: Record<string, string> }) => {
    state.row = { values: {}, secrets: {}, ...next, updated_at: new Date(Date.now() + state.reads + 1), updated_by: null }
  }
  return { pg: pg as any, state, save }
}

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
})

describe("effectiveProviderOptions (routes that build their own client)", () => {
  it("merges the registration's medusa-config options with the saved settings", async () => {
    invalidateGatewaySettings()
    const { pg } = fakePg({ values: { environment: "mainnet" }, secrets: { apiKey: seal("payin", "apiKey", "pk_admin") } })
    const configModule = { modules: [{ options: { providers: [{ resolve: "./src/providers/payin", id: "payin", options: { apiKey: "pk_config", webhookSecret: "whsec_config" } }] } }] }
    const registry: Record<string, unknown> = { configModule, __pg_connection__: pg }
    const container = { resolve: <T>(key: string) => registry[key] as T }
    expect(await effectiveProviderOptions(container, "payin")).toEqual({ apiKey: "pk_admin", webhookSecret: "whsec_config", environment: "mainnet" })
  })
})

describe("saved settings", () => {
  beforeEach(() => invalidateGatewaySettings())

  it("decrypts saved secrets and reports ones that cannot be opened, without the value", async () => {
    const { pg } = fakePg({ values: { environment: "mainnet" }, secrets: { apiKey: seal("payin", "apiKey", "pk_admin"), webhookSecret: seal("payin", "apiKey", "whsec_moved") } })
    const saved = await readSavedGatewaySettings(pg, "payin")
    expect(saved.values).toEqual({ environment: "mainnet" })
    expect(saved.secrets).toEqual({ apiKey: "pk_admin" })
    expect(saved.problems).toHaveLength(1)
    expect(saved.problems[0]).not.toContain("whsec_moved")
  })

  it("treats a missing table as nothing saved", async () => {
    const pg = { raw: async () => Promise.reject(Object.assign(new Error("relation does not exist"), { code: "42P01" })) }
    expect(await readSavedGatewaySettings(pg as any, "secpaid")).toMatchObject({ values: {}, secrets: {} })
  })

  it("reads the database at most once per max age, and again at once after invalidation", async () => {
    const { pg, state } = fakePg({ values: { cancellable: false } })
    await cachedSavedGatewaySettings(pg, "secpaid")
    await cachedSavedGatewaySettings(pg, "secpaid")
    expect(state.reads).toBe(1)
    invalidateGatewaySettings("secpaid")
    await cachedSavedGatewaySettings(pg, "secpaid")
    expect(state.reads).toBe(2)
    await cachedSavedGatewaySettings(pg, "secpaid", { maxAgeMs: 0 })
    expect(state.reads).toBe(3)
  })
})

describe("withAdminSettings (provider wrapper)", () => {
  class FakeProvider {
    static identifier = "fake"
    static constructed = 0
    protected options_: { apiKey: string; environment?: string }
    protected client_: { apiKey: string }
    constructor(_cradle: unknown, options: { apiKey: string; environment?: string }) {
      FakeProvider.constructed++
      if (!options.apiKey) throw new Error("Option `apiKey` is required.")
      this.options_ = options
      this.client_ = { apiKey: options.apiKey }
    }
    async initiatePayment() {
      return { keyUsed: this.client_.apiKey }
    }
    async getPaymentStatus() {
      return { keyUsed: this.client_.apiKey, environment: this.options_.environment }
    }
  }
  const Wrapped = withAdminSettings(FakeProvider, "secpaid")

  beforeEach(() => {
    invalidateGatewaySettings()
    FakeProvider.constructed = 0
  })

  it("keeps the class identity Medusa registers (identifier, name)", () => {
    expect((Wrapped as any).identifier).toBe("fake")
    expect(Wrapped.name).toBe("FakeProvider")
  })

  it("behaves exactly like the provider without a database connection (unit tests)", async () => {
    const provider = new Wrapped({}, { apiKey: "config-key" }) as any
    expect(await provider.initiatePayment({})).toEqual({ keyUsed: "config-key" })
  })

  it("uses a key saved in the admin on the next call, and the next one after a rotation, without a restart", async () => {
    const { pg, save } = fakePg()
    const provider = new Wrapped({ __pg_connection__: pg }, { apiKey: "config-key", environment: "development" }) as any
    expect(await provider.initiatePayment({})).toEqual({ keyUsed: "config-key" })

    save({ secrets: { apiKey: seal("secpaid", "apiKey", "admin-key-1") } })
    invalidateGatewaySettings("secpaid")
    expect(await provider.initiatePayment({})).toEqual({ keyUsed: "admin-key-1" })
    expect(await provider.getPaymentStatus({})).toEqual({ keyUsed: "admin-key-1", environment: "development" })
    // Routes that read the provider's fields directly see the same options.
    expect(provider.client_.apiKey).toBe("admin-key-1")

    save({ secrets: { apiKey: seal("secpaid", "apiKey", "admin-key-2") }, values: { environment: "production" } })
    invalidateGatewaySettings("secpaid")
    expect(await provider.getPaymentStatus({})).toEqual({ keyUsed: "admin-key-2", environment: "production" })

    save({})
    invalidateGatewaySettings("secpaid")
    expect(await provider.initiatePayment({})).toEqual({ keyUsed: "config-key" })
    expect(provider.client_.apiKey).toBe("config-key")
  })

  it("builds a provider instance only when the saved settings change", async () => {
    const { pg } = fakePg({ secrets: { apiKey: seal("secpaid", "apiKey", "admin-key") } })
    const provider = new Wrapped({ __pg_connection__: pg }, { apiKey: "config-key" }) as any
    for (let i = 0; i < 3; i++) {
      invalidateGatewaySettings("secpaid")
      await provider.initiatePayment({})
    }
    expect(FakeProvider.constructed).toBe(2)
  })

  it("picks up a change saved by another instance within 30 s, also with no payment call in between (webhook routes read options_)", async () => {
    jest.useFakeTimers({ now: new Date("2026-11-21T12:00:00Z") })
    try {
      const { pg, save } = fakePg()
      const provider = new Wrapped({ __pg_connection__: pg }, { apiKey: "config-key" }) as any
      await jest.advanceTimersByTimeAsync(0)
      expect(provider.client_.apiKey).toBe("config-key")
      // Saved elsewhere: this process's cache is not invalidated.
      save({ secrets: { apiKey: seal("secpaid", "apiKey", "saved-on-another-instance") } })
      await jest.advanceTimersByTimeAsync(30_000)
      expect(provider.client_.apiKey).toBe("saved-on-another-instance")
      provider.stopGatewaySettingsRefresh()
    } finally {
      jest.useRealTimers()
    }
  })

  it("refuses new payments when switched off, but keeps verifying existing ones", async () => {
    const { pg } = fakePg({ values: { enabled: false } })
    const provider = new Wrapped({ __pg_connection__: pg }, { apiKey: "config-key" }) as any
    await expect(provider.initiatePayment({})).rejects.toThrow(/SecPaid is switched off in Settings → Payment gateways/)
    expect(await provider.getPaymentStatus({})).toMatchObject({ keyUsed: "config-key" })
  })
})

describe("withAdminSettings when the settings cannot be read", () => {
  class KeyProvider {
    static identifier = "key"
    protected client_: { apiKey: string }
    constructor(_cradle: unknown, options: { apiKey: string }) {
      this.client_ = { apiKey: options.apiKey }
    }
    async getPaymentStatus() {
      return { keyUsed: this.client_.apiKey }
    }
  }

  it("keeps the last known options and warns once, without failing the payment call", async () => {
    invalidateGatewaySettings()
    let fail = false
    const sealed = sealSecret("admin-key", secretContext("payin", "apiKey"), devKey)
    const pg = {
      raw: async () => {
        if (fail) throw new Error("connection terminated")
        return { rows: [{ values: {}, secrets: { apiKey: sealed }, updated_at: new Date(), updated_by: null }] }
      },
    }
    const warnings: string[] = []
    const provider = new (withAdminSettings(KeyProvider, "payin"))({ __pg_connection__: pg as any, logger: { warn: (m: string) => warnings.push(m) } }, { apiKey: "config-key" }) as any
    expect(await provider.getPaymentStatus({})).toEqual({ keyUsed: "admin-key" })
    fail = true
    invalidateGatewaySettings("payin")
    expect(await provider.getPaymentStatus({})).toEqual({ keyUsed: "admin-key" })
    invalidateGatewaySettings("payin")
    await provider.getPaymentStatus({})
    expect(warnings.filter((w) => w.includes("could not read the saved PayIn settings"))).toHaveLength(1)
  })
})

describe("withAdminSettings on the real providers: public accessors return the effective settings", () => {
  // Imported here so the fake providers above stay free of provider code.
  const { PayInProviderService } = require("../../providers/payin/service") as typeof import("../../providers/payin/service")
  const { SecPaidProviderService } = require("../../providers/secpaid/service") as typeof import("../../providers/secpaid/service")
  const logger = { info: () => undefined, warn: () => undefined, error: () => undefined }
  const payinConfig = { apiKey: "pk_test_config_key", webhookSecret: "whsec_config", backendUrl: "https://shop.example.com", baseUrl: "http://sandbox.test/payin/api/v1" }

  beforeEach(() => invalidateGatewaySettings())

  it("PayIn: gatewayClient() and webhookSecret() follow what the admin saved after a refresh", async () => {
    const { pg, save } = fakePg()
    const provider = new (withAdminSettings(PayInProviderService, "payin"))({ __pg_connection__: pg, logger } as any, payinConfig) as any
    try {
      await provider.refreshGatewaySettings()
      expect(provider.webhookSecret()).toBe("whsec_config")
      expect(provider.gatewayClient().config.apiKey).toBe("pk_test_config_key")

      save({ secrets: { apiKey: seal("payin", "apiKey", "pk_test_admin_key"), webhookSecret: seal("payin", "webhookSecret", "whsec_admin") } })
      invalidateGatewaySettings("payin")
      await provider.refreshGatewaySettings()
      expect(provider.webhookSecret()).toBe("whsec_admin")
      expect(provider.gatewayClient().config.apiKey).toBe("pk_test_admin_key")
    } finally {
      provider.stopGatewaySettingsRefresh()
    }
  })

  it("PayIn: processing a stored event loads the saved settings first (no background refresh needed)", async () => {
    const { pg, save } = fakePg()
    const provider = new (withAdminSettings(PayInProviderService, "payin"))({ __pg_connection__: pg, logger } as any, payinConfig) as any
    provider.stopGatewaySettingsRefresh()
    await provider.refreshGatewaySettings()
    save({ secrets: { apiKey: seal("payin", "apiKey", "pk_test_rotated_key") } })
    invalidateGatewaySettings("payin")
    expect(await provider.actionForStoredEvent({ rawBody: Buffer.from('{"type":"test.event"}') })).toEqual({ action: "not_supported" })
    expect(provider.gatewayClient().config.apiKey).toBe("pk_test_rotated_key")
  })

  it("SecPaid: webhookEncryptionKey() and gatewayClient() follow what the admin saved after a refresh", async () => {
    const key = "0123456789abcdef0123456789ABCDEF"
    const { pg, save } = fakePg()
    const provider = new (withAdminSettings(SecPaidProviderService, "secpaid"))(
      { __pg_connection__: pg, logger } as any,
      { apiKey: "sp_dev_config_key", backendUrl: "https://shop.example.com" }
    ) as any
    try {
      await provider.refreshGatewaySettings()
      expect(provider.webhookEncryptionKey()).toBeUndefined()
      const before = provider.gatewayClient()
      save({ secrets: { encryptionKey: seal("secpaid", "encryptionKey", key), apiKey: seal("secpaid", "apiKey", "sp_dev_admin_key") } })
      invalidateGatewaySettings("secpaid")
      await provider.refreshGatewaySettings()
      expect(provider.webhookEncryptionKey()).toBe(key)
      expect(provider.gatewayClient()).not.toBe(before)
    } finally {
      provider.stopGatewaySettingsRefresh()
    }
  })
})
