import { ModulesSdkUtils } from "@medusajs/framework/utils"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import { databaseUrl, dropDatabaseIfExists, recreateDatabase } from "../../../../integration-tests/test-databases"
import { GatewaySettingsStore } from "../gateway-settings-store"
import { Migration20261121230500 } from "../migrations/Migration20261121230500"
import { Migration20261202121000 } from "../migrations/Migration20261202121000"

/**
 * Settings kept per provider registration, against a real PostgreSQL: the migration
 * that gives rows saved per gateway the provider id of their registration (read from
 * the payment module's `payment_provider` table), and the store's reads and saves on
 * the migrated table (fallback to the gateway's row, take-over on the first save).
 */
const scratch = `settings_migration_test_${process.pid}_${Date.now()}`

let pg: Knex

async function run(migration: { up(): Promise<void>; getQueries(): unknown[] }) {
  await migration.up()
  for (const sql of migration.getQueries()) await pg.raw(sql as string)
}

/** The table as the previous version left it (one row per gateway), and the payment module's providers when given. */
async function before({ providers }: { providers?: Array<string | { id: string; deleted: true }> }) {
  await pg.raw(`DROP TABLE IF EXISTS payment_gateway_setting, payment_provider`)
  await run(new Migration20261121230500(undefined as never, undefined as never))
  if (providers) {
    await pg.raw(`CREATE TABLE payment_provider (id text PRIMARY KEY, is_enabled boolean NOT NULL DEFAULT true, deleted_at timestamptz NULL)`)
    for (const p of providers) {
      if (typeof p === "string") await pg.raw(`INSERT INTO payment_provider (id) VALUES (?)`, [p])
      else await pg.raw(`INSERT INTO payment_provider (id, deleted_at) VALUES (?, now())`, [p.id])
    }
  }
  for (const gateway of ["secpaid", "payin"]) {
    await pg.raw(`INSERT INTO payment_gateway_setting (id, gateway, "values") VALUES (?, ?, ?::jsonb)`, [`pgst_${gateway}`, gateway, JSON.stringify({ environment: `saved-for-${gateway}` })])
  }
}

async function migrate(): Promise<Record<string, string | null>> {
  await run(new Migration20261202121000(undefined as never, undefined as never))
  const { rows } = await pg.raw(`SELECT gateway, provider_id FROM payment_gateway_setting WHERE deleted_at IS NULL ORDER BY gateway`)
  return Object.fromEntries(rows.map((r: { gateway: string; provider_id: string | null }) => [r.gateway, r.provider_id]))
}

beforeAll(async () => {
  await recreateDatabase(scratch)
  pg = ModulesSdkUtils.createPgConnection({ clientUrl: databaseUrl(scratch), pool: { min: 0, max: 3 } })
})

afterAll(async () => {
  await pg?.destroy()
  await dropDatabaseIfExists(scratch)
})

describe("moving settings saved per gateway to their registration (migration)", () => {
  it("gives a row its gateway's only provider, whatever its id, and the provider id without an id part", async () => {
    await before({ providers: ["pp_secpaid_eu", "pp_payin", "pp_stripe_stripe", "pp_system_default"] })
    expect(await migrate()).toEqual({ secpaid: "pp_secpaid_eu", payin: "pp_payin" })
  })

  it("with several providers of a gateway, takes the documented default pp_<gateway>_<gateway> when it is registered", async () => {
    await before({ providers: ["pp_secpaid_eu", "pp_secpaid_secpaid", "pp_payin_crypto", "pp_payin_payin"] })
    expect(await migrate()).toEqual({ secpaid: "pp_secpaid_secpaid", payin: "pp_payin_payin" })
  })

  it("leaves a row without provider id when the database cannot tell whose it is", async () => {
    // Two SecPaid accounts, neither the default; PayIn's only live provider was deleted; a look-alike gateway name.
    await before({ providers: ["pp_secpaid_eu", "pp_secpaid_marketplace", { id: "pp_payin_payin", deleted: true }, "pp_payinx_payin"] })
    expect(await migrate()).toEqual({ secpaid: null, payin: null })
  })

  it("runs where the payment module has no table yet, and twice without changing anything", async () => {
    await before({})
    expect(await migrate()).toEqual({ secpaid: null, payin: null })
    expect(await migrate()).toEqual({ secpaid: null, payin: null })
  })

  it("keeps provider ids unique among live rows", async () => {
    await before({ providers: ["pp_secpaid_eu"] })
    await migrate()
    await expect(pg.raw(`INSERT INTO payment_gateway_setting (id, gateway, provider_id) VALUES ('pgst_dup', 'secpaid', 'pp_secpaid_eu')`)).rejects.toMatchObject({ code: "23505" })
    await pg.raw(`UPDATE payment_gateway_setting SET deleted_at = now() WHERE provider_id = 'pp_secpaid_eu'`)
    await pg.raw(`INSERT INTO payment_gateway_setting (id, gateway, provider_id) VALUES ('pgst_again', 'secpaid', 'pp_secpaid_eu')`)
  })
})

describe("settings per registration on the migrated table (store)", () => {
  it("the gateway's only registration reads the row left without provider id, and its first save takes that row over", async () => {
    await before({ providers: ["pp_payin_a", "pp_payin_b"] })
    await migrate()
    const store = new GatewaySettingsStore(pg)
    // The store now registers PayIn once (pp_payin_b): the row saved per gateway is its.
    const only = { key: "pp_payin_b", fallbackToGatewayRow: true }
    expect((await store.read("payin", only.key, only)).values).toEqual({ environment: "saved-for-payin" })
    const saved = await store.save("payin", { defaultToken: "USDT" }, { ...only, updatedBy: "user_1" })
    expect(saved.values).toEqual({ environment: "saved-for-payin", defaultToken: "USDT" })
    const { rows } = await pg.raw(`SELECT id, provider_id, "values", updated_by FROM payment_gateway_setting WHERE gateway = 'payin'`)
    expect(rows).toEqual([{ id: "pgst_payin", provider_id: "pp_payin_b", values: { environment: "saved-for-payin", defaultToken: "USDT" }, updated_by: "user_1" }])
    // Saved again: still that one row.
    await store.save("payin", { defaultToken: null }, only)
    expect((await pg.raw(`SELECT count(*)::int AS n FROM payment_gateway_setting WHERE gateway = 'payin'`)).rows[0].n).toBe(1)
  })

  it("two registrations of a gateway each save their own row and never read the row saved per gateway", async () => {
    await before({ providers: ["pp_secpaid_eu", "pp_secpaid_marketplace"] })
    await migrate()
    const store = new GatewaySettingsStore(pg)
    expect((await store.read("secpaid", "pp_secpaid_eu")).values).toEqual({})
    await store.save("secpaid", { cancellable: false }, { key: "pp_secpaid_eu" })
    await store.save("secpaid", { bankTransfer: true }, { key: "pp_secpaid_marketplace" })
    await store.save("secpaid", { cancellable: true }, { key: "pp_secpaid_eu" })
    expect((await store.read("secpaid", "pp_secpaid_eu")).values).toEqual({ cancellable: true })
    expect((await store.read("secpaid", "pp_secpaid_marketplace")).values).toEqual({ bankTransfer: true })
    const { rows } = await pg.raw(`SELECT provider_id, "values" FROM payment_gateway_setting WHERE gateway = 'secpaid' ORDER BY provider_id NULLS FIRST`)
    expect(rows).toEqual([
      { provider_id: null, values: { environment: "saved-for-secpaid" } },
      { provider_id: "pp_secpaid_eu", values: { cancellable: true } },
      { provider_id: "pp_secpaid_marketplace", values: { bankTransfer: true } },
    ])
    // The row saved per gateway is still addressed by the bare gateway key, and saved in place.
    await store.save("secpaid", { environment: "development" })
    expect((await store.read("secpaid")).values).toEqual({ environment: "development" })
    expect((await pg.raw(`SELECT count(*)::int AS n FROM payment_gateway_setting WHERE gateway = 'secpaid'`)).rows[0].n).toBe(3)
  })
})
