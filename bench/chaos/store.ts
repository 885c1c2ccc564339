import type { RunningSandbox } from "../../sandbox/server"
import * as credentials from "../../sandbox/credentials"
import { createDatabase, dropDatabase, freePort, medusaEnv, migrateAndSeed } from "../../integration-tests/multi-instance/medusa-process"
import type { StoreFixture } from "../../integration-tests/helpers/store-fixture"

/**
 * The store a storm runs against: its own database (migrated and seeded), a free port,
 * and the environment of a `medusa start` process pointed at the storm's own sandbox
 * (shared worker mode, in-memory modules, info logs). `extraEnv` adds the storm's own
 * settings. Cleanups (restoring this process's environment, dropping the database) are
 * pushed onto `cleanups`, to run in reverse order.
 */
export type StormStore = { databaseUrl: string; fixture: StoreFixture; port: number; backendUrl: string; env: NodeJS.ProcessEnv }

export async function prepareStormStore(input: {
  sandbox: RunningSandbox
  databasePrefix: string
  extraEnv?: Record<string, string | undefined>
  cleanups: Array<() => Promise<void>>
  log: (line: string) => void
}): Promise<StormStore> {
  const gatewayEnv = {
    SANDBOX_URL: input.sandbox.url,
    SECPAID_API_KEY: credentials.SANDBOX_SECPAID_DEV_KEY,
    PAYIN_API_KEY: credentials.SANDBOX_PAYIN_API_KEY,
    PAYIN_WEBHOOK_SECRET: credentials.SANDBOX_PAYIN_WEBHOOK_SECRET,
  }
  // `medusa db:migrate` and the seed load medusa-config.ts too, which needs the gateway options; restored afterwards.
  const previousEnv = Object.fromEntries(Object.keys(gatewayEnv).map((k) => [k, process.env[k]]))
  Object.assign(process.env, gatewayEnv)
  input.cleanups.push(async () => {
    for (const [k, v] of Object.entries(previousEnv)) if (v === undefined) delete process.env[k]
    else process.env[k] = v
  })

  const dbName = `${input.databasePrefix}_${process.pid}_${Date.now() % 100000}`
  const databaseUrl = await createDatabase(dbName)
  input.cleanups.push(() => dropDatabase(dbName))
  input.log(`migrating and seeding ${dbName}`)
  const fixture = await migrateAndSeed(databaseUrl)
  const port = await freePort()
  const backendUrl = `http://localhost:${port}`
  const env = medusaEnv(databaseUrl, {
    MEDUSA_BACKEND_URL: backendUrl,
    MEDUSA_WORKER_MODE: "shared",
    REDIS_URL: undefined,
    LOG_LEVEL: "info",
    ...gatewayEnv,
    SECPAID_BASE_URL: undefined,
    PAYIN_BASE_URL: undefined,
    ...input.extraEnv,
  })
  return { databaseUrl, fixture, port, backendUrl, env }
}
