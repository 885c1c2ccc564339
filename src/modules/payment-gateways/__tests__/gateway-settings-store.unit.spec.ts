import { secretContext } from "../../../lib/gateway-settings"
import { openSecret, resolveSecretBoxKey, sealSecret } from "../../../lib/secret-box"
import { GatewaySettingsStore } from "../gateway-settings-store"

const devKey = (() => {
  const k = resolveSecretBoxKey({ NODE_ENV: "test" })
  if (!k.ok) throw new Error(k.reason)
  return k.key
})()

type Row = { gateway: string; values: Record<string, unknown>; secrets: Record<string, string>; updated_at: Date; updated_by: string | null }

/** A knex stand-in for the settings table: answers the store's SELECTs and its upsert from rows in memory. */
function fakePg(rows: Row[] = []) {
  const state = { rows, reads: 0, fail: undefined as Error | undefined }
  const pg = {
    raw: async (sql: string, bindings: unknown[]) => {
      if (state.fail) throw state.fail
      if (sql.trimStart().startsWith("SELECT")) {
        state.reads++
        return { rows: state.rows.filter((r) => r.gateway === bindings[0]) }
      }
      const [, gateway, values, secrets, updatedBy] = bindings as [string, string, string, string, string | null]
      const row: Row = { gateway, values: JSON.parse(values), secrets: JSON.parse(secrets), updated_at: new Date(Date.now() + state.reads), updated_by: updatedBy }
      state.rows = [...state.rows.filter((r) => r.gateway !== gateway), row]
      return { rows: [] }
    },
  }
  return { pg: pg as never, state }
}

const row = (gateway: string, values: Record<string, unknown> = {}, secrets: Record<string, string> = {}): Row => ({
  gateway,
  values,
  secrets,
  updated_at: new Date("2026-01-01T00:00:00Z"),
  updated_by: null,
})

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

  it("keeps rows apart by settings key", async () => {
    const { pg } = fakePg([row("secpaid", { cancellable: false }), row("secpaid-eu", { bankTransfer: true })])
    const store = new GatewaySettingsStore(pg)
    expect((await store.cached("secpaid")).values).toEqual({ cancellable: false })
    expect((await store.cached("secpaid", "secpaid-eu")).values).toEqual({ bankTransfer: true })
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

  it("does not keep a failed read: the next call asks the database again", async () => {
    const { pg, state } = fakePg([row("secpaid", { bankTransfer: true })])
    const store = new GatewaySettingsStore(pg)
    state.fail = new Error("connection terminated")
    await expect(store.cached("secpaid")).rejects.toThrow("connection terminated")
    state.fail = undefined
    expect((await store.cached("secpaid")).values).toEqual({ bankTransfer: true })
  })
})
