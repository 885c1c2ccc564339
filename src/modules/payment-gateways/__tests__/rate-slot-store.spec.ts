import { ModulesSdkUtils } from "@medusajs/framework/utils"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import { databaseUrl, dropDatabaseIfExists, recreateDatabase } from "../../../../integration-tests/test-databases"
import type { GatewayCallPriority } from "../../../lib/gateway-call-context"
import { BudgetExhaustedError, RequestBudget, type BudgetPolicy } from "../../../lib/request-budget"
import { Migration20261202044245 } from "../migrations/Migration20261202044245"
import { PostgresSlotStore } from "../rate-slot-store"

/**
 * The shared slot table against a real PostgreSQL: a scratch database with this
 * module's migration, and two budgets on two connection pools, as two Medusa
 * instances of one store would have.
 */
const scratch = `rate_slot_test_${process.pid}_${Date.now()}`

const LIMIT = 60
const WINDOW_MS = 60_000
/** Waits short enough for a quick suite; the statements under test do not depend on them. */
const POLICY: BudgetPolicy = {
  reserves: { checkout: 0, verification: 10, anonymous: 30, background: 30 },
  maxWaitMs: { checkout: 1_500, verification: 1_500, anonymous: 1_500, background: 1_500 },
  maxWaiters: 200,
}

let instanceA: Knex
let instanceB: Knex

beforeAll(async () => {
  await recreateDatabase(scratch)
  instanceA = ModulesSdkUtils.createPgConnection({ clientUrl: databaseUrl(scratch), pool: { min: 0, max: 5 } })
  instanceB = ModulesSdkUtils.createPgConnection({ clientUrl: databaseUrl(scratch), pool: { min: 0, max: 5 } })
  const migration = new Migration20261202044245(undefined as never, undefined as never)
  await migration.up()
  for (const sql of migration.getQueries()) await instanceA.raw(sql as string)
})

afterAll(async () => {
  await instanceA?.destroy()
  await instanceB?.destroy()
  await dropDatabaseIfExists(scratch)
})

function budgetOn(pg: Knex) {
  return new RequestBudget({ ...POLICY, limit: LIMIT, windowMs: WINDOW_MS, store: new PostgresSlotStore(pg) })
}

/** `count` calls split over both instances at once; how many got a slot, how many were refused. */
async function burst(key: string, priority: GatewayCallPriority, count: number, budgets: RequestBudget[]) {
  const results = await Promise.allSettled(Array.from({ length: count }, (_, i) => budgets[i % budgets.length].acquire(key, priority)))
  const refused = results.filter((r) => r.status === "rejected")
  for (const r of refused) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(BudgetExhaustedError)
  return { granted: results.length - refused.length, refused: refused.length }
}

async function usedInWindow(key: string): Promise<number> {
  const result = await instanceA.raw(
    `SELECT count(*)::int AS n FROM payment_gateway_rate_slot WHERE key = ? AND used_at > clock_timestamp() - interval '60 seconds'`,
    [key]
  )
  return result.rows[0].n
}

describe("PostgresSlotStore shared by two instances", () => {
  it("creates exactly `limit` slots for a key on first use", async () => {
    const store = new PostgresSlotStore(instanceA)
    const [a, b] = await Promise.all([
      store.take("first-use", { limit: LIMIT, windowMs: WINDOW_MS, reserve: 0 }),
      new PostgresSlotStore(instanceB).take("first-use", { limit: LIMIT, windowMs: WINDOW_MS, reserve: 0 }),
    ])
    expect([a, b]).toEqual([{ taken: true }, { taken: true }])
    const rows = await instanceA.raw(`SELECT count(*)::int AS n, min(slot) AS lo, max(slot) AS hi FROM payment_gateway_rate_slot WHERE key = 'first-use'`)
    expect(rows.rows[0]).toEqual({ n: LIMIT, lo: 1, hi: LIMIT })
    expect(await usedInWindow("first-use")).toBe(2)
  })

  it("never grants more than the limit within a window across both instances", async () => {
    const { granted, refused } = await burst("shared-limit", "checkout", 100, [budgetOn(instanceA), budgetOn(instanceB)])
    expect(granted).toBe(LIMIT)
    expect(refused).toBe(40)
    expect(await usedInWindow("shared-limit")).toBe(LIMIT)
  })

  it("keeps each priority's reserve across both instances", async () => {
    const budgets = [budgetOn(instanceA), budgetOn(instanceB)]
    // Anonymous calls leave 30 of 60.
    expect(await burst("reserves", "anonymous", 50, budgets)).toEqual({ granted: 30, refused: 20 })
    // Background leaves 30 too: nothing left for it.
    expect(await burst("reserves", "background", 5, budgets)).toEqual({ granted: 0, refused: 5 })
    // Verification leaves 10 for checkout.
    expect(await burst("reserves", "verification", 30, budgets)).toEqual({ granted: 20, refused: 10 })
    // Checkout may take the last 10.
    expect(await burst("reserves", "checkout", 15, budgets)).toEqual({ granted: 10, refused: 5 })
    expect(await usedInWindow("reserves")).toBe(LIMIT)
  })

  it("says, from the database clock, how long until the slot that would make room frees", async () => {
    const store = new PostgresSlotStore(instanceA)
    const request = { limit: 2, windowMs: WINDOW_MS, reserve: 0 }
    expect(await store.take("tell-wait", request)).toEqual({ taken: true })
    expect(await store.take("tell-wait", request)).toEqual({ taken: true })
    const refused = await store.take("tell-wait", request)
    expect(refused.taken).toBe(false)
    const retryInMs = (refused as { retryInMs: number }).retryInMs
    expect(retryInMs).toBeGreaterThan(0)
    expect(retryInMs).toBeLessThanOrEqual(WINDOW_MS + 1)
  })
})
