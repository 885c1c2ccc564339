import type { Config } from "@jest/types"
import { startSandbox, type RunningSandbox } from "../sandbox/server"
import * as credentials from "../sandbox/credentials"
import { freePort, medusaCli, medusaEnv } from "./multi-instance/medusa-process"
import { FULL_TEMPLATE_ENV, TEMPLATE_ENV, databaseUrl, recreateDatabase } from "./test-databases"

/**
 * Runs once before the jest projects that declare it (integration, e2e):
 *
 * - starts one gateway sandbox per jest worker, in-process on random ports, and picks
 *   one Medusa port per worker; `integration-tests/setup.js` hands each suite those of
 *   the worker it runs on, so suites on different workers never reset each other's
 *   sandbox or compete for a port;
 * - migrates two template databases once for the whole run (see test-databases.ts);
 *   each suite starts from a copy instead of migrating a database of its own.
 */

type RunState = { sandboxes: RunningSandbox[]; templates: string[] }

export default async function globalSetup(globalConfig: Config.GlobalConfig) {
  // Both the integration and the e2e project declare this setup; one set serves both.
  if ((globalThis as any).__TEST_RUN__) return
  const state: RunState = { sandboxes: [], templates: [] }
  ;(globalThis as any).__TEST_RUN__ = state

  // Tests only ever talk to the sandbox: its fixed credentials, never a real key.
  process.env.SECPAID_API_KEY = credentials.SANDBOX_SECPAID_DEV_KEY
  process.env.PAYIN_API_KEY = credentials.SANDBOX_PAYIN_API_KEY
  process.env.PAYIN_WEBHOOK_SECRET = credentials.SANDBOX_PAYIN_WEBHOOK_SECRET
  delete process.env.SECPAID_BASE_URL
  delete process.env.PAYIN_BASE_URL

  const workers = Math.max(1, globalConfig.maxWorkers || 1)
  process.env.TEST_WORKER_SLOTS = String(workers)
  for (let slot = 1; slot <= workers; slot++) {
    // Each sandbox serves the suites of one worker; SecPaid's 60 requests/minute would be
    // shared across those suites, so its limit is raised here (each app's own SecPaid
    // request budget still keeps it at 60/min; the sandbox's own tests cover the limit at 60).
    const sandbox = await startSandbox({
      port: 0,
      retryDelaysMs: [100, 200, 400, 800, 1600],
      secpaid: { rateLimitPerMinute: 6000 },
    })
    state.sandboxes.push(sandbox)
    const port = await freePort()
    process.env[`TEST_SANDBOX_URL_${slot}`] = sandbox.url
    process.env[`TEST_PORT_${slot}`] = String(port)
  }
  // Defaults for anything that reads them before integration-tests/setup.js picks its worker's.
  process.env.SANDBOX_URL = process.env.TEST_SANDBOX_URL_1
  process.env.PORT = process.env.TEST_PORT_1
  process.env.MEDUSA_BACKEND_URL = `http://localhost:${process.env.TEST_PORT_1}`

  const started = Date.now()
  const base = `medusa_test_tmpl_${process.pid}`
  const full = `medusa_test_tmpl_full_${process.pid}`
  state.templates.push(base, full)
  await Promise.all([recreateDatabase(base), recreateDatabase(full)])
  const env = (name: string) => medusaEnv(databaseUrl(name), { REDIS_URL: undefined, LOG_LEVEL: "error" })
  try {
    await Promise.all([medusaCli(["db:migrate", "--skip-scripts"], env(base)), medusaCli(["db:migrate"], env(full))])
  } catch (error) {
    throw new Error(`Could not migrate the test template databases; see the Medusa output below and check DB_HOST/DB_PORT/DB_USERNAME.\n${(error as Error).message}`)
  }
  process.env[TEMPLATE_ENV] = base
  process.env[FULL_TEMPLATE_ENV] = full
  process.stdout.write(`\ntest setup: ${workers} sandbox(es); template databases migrated in ${Math.round((Date.now() - started) / 1000)} s\n`)
}
