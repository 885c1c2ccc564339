import { medusaIntegrationTestRunner } from "@medusajs/test-utils"
import { TEMPLATE_ENV, recreateDatabase } from "../test-databases"

type RunnerOptions = Parameters<typeof medusaIntegrationTestRunner>[0]

let suiteDatabases = 0

/**
 * `medusaIntegrationTestRunner` on a database copied from the run's migrated template
 * (see integration-tests/test-databases.ts) instead of an empty one: the runner still
 * runs its migrations and link sync, which find nothing left to do. The runner drops
 * the database after the suite. Without a template (a suite started outside `npm test`'s
 * global setup) it is the plain runner.
 */
export function medusaSuite(options: RunnerOptions): void {
  const template = process.env[TEMPLATE_ENV]
  if (!template) {
    medusaIntegrationTestRunner(options)
    return
  }
  const dbName = `medusa_test_${process.pid}_${Date.now().toString(36)}_${++suiteDatabases}`
  // A top-level beforeAll runs before the runner's own (nested) beforeAll.
  beforeAll(() => recreateDatabase(dbName, template))
  medusaIntegrationTestRunner({ ...options, dbName })
}
