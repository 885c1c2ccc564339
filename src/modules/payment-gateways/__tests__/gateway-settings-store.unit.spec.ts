import { secretContext } from "../../../lib/gateway-settings"
import { openSecret, resolveSecretBoxKey, sealSecret } from "../../../lib/secret-box"
import { GatewaySettingsStore } from "../gateway-settings-store"

const devKey = (() => {
  const k = resolveSecretBoxKey({ NODE_ENV: "test" })
  if (!k.ok) throw new Error(k.reason)
  return k.key
})()

type Row = {
  id: string
  gateway: string
  provider_id: string | null
  values: Record<string, unknown>
  secrets: Record<string, string>
  updated_at: Date
  updated_by: string | null
}

/**
 * A knex stand-in for the settings table: answers the store's SELECTs (a provider id's
 * own row, the gateway's row without provider id, or the first of both), its take-over
 * UPDATE and its upserts, from rows in memory.
 */
function fakePg(rows: Row[] = []) {
  const state = { rows, reads: 0, fail: undefined as Error | undefined }
  let serial = 0
  const stamp = () => new Date(Date.UTC(2026, 0, 2, 0, 0, ++serial))
  const pg = {
    raw: async (sql: string, bindings: unknown[]) => {
      if (state.fail) throw state.fail
      const text = sql.trim()
      if (text.startsWith("SELECT")) {
        state.reads++
        if (text.includes("provider_id = ? OR")) {
          const [key, gateway] = bindings as string[]
          const own = state.rows.filter((r) => r.provider_id === key)
          return { rows: own.length ? own : state.rows.filter((r) => r.gateway === gateway && r.provider_id === null) }
        }
        if (text.includes("provider_id IS NULL")) return { rows: state.rows.filter((r) => r.gateway === bindings[0] && r.provider_id === null) }
        return { rows: state.rows.filter((r) => r.provider_id === bindings[0]) }
      }
      if (text.startsWith("UPDATE")) {
        const [key, values, secrets, updatedBy, id] = bindings as string[]
        const row = state.rows.find((r) => r.id === id && r.provider_id === null)
        if (!row) return { rows: [] }
        Object.assign(row, { provider_id: key, values: JSON.parse(values), secrets: JSON.parse(secrets), updated_by: updatedBy, updated_at: stamp() })
        return { rows: [{ id }] }
      }
      const [id, gateway, providerId, values, secrets, updatedBy] = bindings as [string, string, string | null, string, string, string | null]
      const same = (r: Row) => (providerId === null ? r.gateway === gateway && r.provider_id === null : r.provider_id === providerId)
      const existing = state.rows.find(same)
      const row: Row = { id: existing?.id ?? id, gateway, provider_id: providerId, values: JSON.parse(values), secrets: JSON.parse(secrets), updated_at: stamp(), updated_by: updatedBy }
      state.rows = [...state.rows.filter((r) => !same(r)), row]
      return { rows: [] }
    },
  }
  return { pg: pg as never, state }
}

const row = (key: string, values: Record<string, unknown> = {}, secrets: Record<string, string> = {}): Row => {
  const providerId = key.startsWith("pp_") ? key : null
  return {
    id: `pgst_${key}`,
    gateway: providerId ? providerId.split("_")[1] : key,
    provider_id: providerId,
    values,
    secrets,
    updated_at: new Date("2026-01-01T00:00:00Z"),
    updated_by: null,
  }
}

describe("gateway settings store (plugin module)", () => {
  it("reads the database at most once per max age, and shares one read between concurrent callers", async () => {
    let now = 1_000_000
    const { pg, state } = fakePg([row("secpaid", { cancellable: false })])
    const store = new GatewaySettingsStore(pg, undefined, 20_000, () => now)
    await Promise.all([store.cached("secpaid"), store.cached("secpaid")])
    expect(state.reads).toBe(1)
    now += 19_999
    expect((await store.cached("secpaid")).values).toEqual({ cancellable: false })
    expect(state.reads).toBe(1)
    now += 1
    await store.cached("secpaid")
    expect(state.reads).toBe(2)
  })

  it("keeps rows apart by provider registration", async () => {
    const { pg } = fakePg([row("secpaid", { cancellable: false }), row("pp_secpaid_eu", { bankTransfer: true }), row("pp_secpaid_marketplace", { environment: "production" })])
    const store = new GatewaySettingsStore(pg)
    expect((await store.cached("secpaid")).values).toEqual({ cancellable: false })
    expect((await store.cached("secpaid", "pp_secpaid_eu")).values).toEqual({ bankTransfer: true })
    expect((await store.cached("secpaid", "pp_secpaid_marketplace")).values).toEqual({ environment: "production" })
    // A registration without a row of its own gets nothing, unless it may use its gateway's row.
    expect((await store.cached("secpaid", "pp_secpaid_other")).values).toEqual({})
  })

  it("lets the gateway's only registration use the row saved per gateway, and never one with a row of its own", async () => {
    const { pg } = fakePg([row("secpaid", { cancellable: false }), row("pp_secpaid_eu", { bankTransfer: true })])
    const store = new GatewaySettingsStore(pg)
    expect((await store.cached("secpaid", "pp_secpaid_secpaid", { fallbackToGatewayRow: true })).values).toEqual({ cancellable: false })
    expect((await store.cached("secpaid", "pp_secpaid_secpaid", { fallbackToGatewayRow: false })).values).toEqual({})
    expect((await store.cached("secpaid", "pp_secpaid_eu", { fallbackToGatewayRow: true })).values).toEqual({ bankTransfer: true })
  })

  it("on the first save of a registration using its gateway's row, gives that row the registration's provider id instead of copying it", async () => {
    const { pg, state } = fakePg([row("payin", { environment: "mainnet", defaultToken: "USDT" })])
    const store = new GatewaySettingsStore(pg)
    const saved = await store.save("payin", { defaultToken: "USDC" }, { key: "pp_payin_payin", fallbackToGatewayRow: true, updatedBy: "user_1" })
    expect(saved.values).toEqual({ environment: "mainnet", defaultToken: "USDC" })
    expect(state.rows).toHaveLength(1)
    expect(state.rows[0]).toMatchObject({ id: "pgst_payin", gateway: "payin", provider_id: "pp_payin_payin", updated_by: "user_1" })
    // The bare gateway key no longer finds a row, the registration's key does (this process's copies were replaced).
    expect((await store.cached("payin")).values).toEqual({})
    expect((await store.cached("payin", "pp_payin_payin")).values).toEqual({ environment: "mainnet", defaultToken: "USDC" })

    await store.save("payin", { environment: "testnet" }, { key: "pp_payin_payin", fallbackToGatewayRow: true })
    expect(state.rows).toHaveLength(1)
    expect(state.rows[0].values).toEqual({ environment: "testnet", defaultToken: "USDC" })
  })

  it("a registration that may not use its gateway's row writes a row of its own and leaves that row alone", async () => {
    const { pg, state } = fakePg([row("secpaid", { cancellable: false })])
    const store = new GatewaySettingsStore(pg)
    const saved = await store.save("secpaid", { bankTransfer: true }, { key: "pp_secpaid_eu" })
    expect(saved.values).toEqual({ bankTransfer: true })
    expect(state.rows.map((r) => [r.provider_id, r.values])).toEqual([
      [null, { cancellable: false }],
      ["pp_secpaid_eu", { bankTransfer: true }],
    ])
  })

  it("seals secrets on save, keeps what the patch leaves out, removes nulls, and answers the next read with the saved row", async () => {
    const { pg, state } = fakePg([row("payin", { environment: "mainnet", defaultToken: "USDT" })])
    const store = new GatewaySettingsStore(pg)
    expect((await store.cached("payin")).values).toEqual({ environment: "mainnet", defaultToken: "USDT" })

    const saved = await store.save("payin", { apiKey: "pk_live_admin", defaultToken: null, allowedTokens: ["USDC"] }, { updatedBy: "user_1" })
    expect(saved.values).toEqual({ environment: "mainnet", allowedTokens: ["USDC"] })
    expect(saved.secrets).toEqual({ apiKey: "pk_live_admin" })
    const stored = state.rows.find((r) => r.gateway === "payin")!
    expect(JSON.stringify(stored)).not.toContain("pk_live_admin")
    expect(openSecret(stored.secrets.apiKey, secretContext("payin", "apiKey"), devKey)).toBe("pk_live_admin")
    expect(stored.updated_by).toBe("user_1")
    // The saving instance's copy is the saved row, without waiting for the max age.
    expect((await store.cached("payin")).secrets).toEqual({ apiKey: "pk_live_admin" })
  })

  it("keeps a secret it cannot open unless the patch replaces it, and reports it without the value", async () => {
    const foreign = sealSecret("whsec_other_key", secretContext("payin", "apiKey"), devKey) // sealed for another field: cannot open here
    const warnings: string[] = []
    const { pg, state } = fakePg([row("payin", {}, { webhookSecret: foreign })])
    const store = new GatewaySettingsStore(pg, { warn: (m) => warnings.push(m) })
    const saved = await store.save("payin", { environment: "testnet" })
    expect(saved.secrets).toEqual({})
    expect(saved.problems).toHaveLength(1)
    expect(state.rows[0].secrets.webhookSecret).toBe(foreign)
    expect(warnings.join(" ")).not.toContain("whsec_other_key")
  })

  it("refuses to store a secret without an encryption key, naming the reason", async () => {
    const { pg, state } = fakePg()
    const store = new GatewaySettingsStore(pg)
    const env = process.env.NODE_ENV
    process.env.NODE_ENV = "production"
    try {
      await expect(store.save("secpaid", { apiKey: "sp_live_key" })).rejects.toThrow(/The SecPaid secrets apiKey cannot be stored: /)
    } finally {
      process.env.NODE_ENV = env
    }
    expect(state.rows).toEqual([])
  })

  it("treats a missing table as nothing saved and says once how to fix it", async () => {
    const { pg, state } = fakePg()
    state.fail = Object.assign(new Error("relation does not exist"), { code: "42P01" })
    const warnings: string[] = []
    const store = new GatewaySettingsStore(pg, { warn: (m) => warnings.push(m) })
    expect(await store.read("secpaid")).toMatchObject({ values: {}, secrets: {}, missingTable: true })
    await store.read("payin")
    expect(warnings).toEqual([expect.stringMatching(/run `medusa db:migrate`/)])
  })

  it("before the provider_id column is migrated, reads the row saved per gateway and says once how to fix it", async () => {
    const warnings: string[] = []
    const legacy = { values: { bankTransfer: true }, secrets: {}, updated_at: new Date("2026-01-01T00:00:00Z"), updated_by: null }
    const pg = {
      raw: async (sql: string, bindings: unknown[]) => {
        if (sql.includes("provider_id")) throw Object.assign(new Error('column "provider_id" does not exist'), { code: "42703" })
        return { rows: bindings[0] === "secpaid" ? [legacy] : [] }
      },
    }
    const store = new GatewaySettingsStore(pg as never, { warn: (m) => warnings.push(m) })
    expect((await store.read("secpaid", "pp_secpaid_secpaid", { fallbackToGatewayRow: true })).values).toEqual({ bankTransfer: true })
    await store.read("secpaid", "pp_secpaid_secpaid")
    expect(warnings).toEqual([expect.stringMatching(/no provider_id column yet.*run `medusa db:migrate`/)])
  })

  it("does not keep a failed read: the next call asks the database again", async () => {
    const { pg, state } = fakePg([row("secpaid", { bankTransfer: true })])
    const store = new GatewaySettingsStore(pg)
    state.fail = new Error("connection terminated")
    await expect(store.cached("secpaid")).rejects.toThrow("connection terminated")
    state.fail = undefined
    expect((await store.cached("secpaid")).values).toEqual({ bankTransfer: true })
  })
})
