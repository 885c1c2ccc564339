import { Client } from "pg"

/**
 * Migrated template databases for one `npm test` run. Migrating a fresh database runs
 * every Medusa module's migrations plus the plugin's (~20 s); copying a migrated one
 * with `CREATE DATABASE … TEMPLATE` takes well under a second. The global setup
 * migrates the templates once and names them in the environment; suites copy them.
 *
 * - `MEDUSA_TEST_TEMPLATE_DB`: `medusa db:migrate --skip-scripts`, what Medusa's
 *   integration test runner itself migrates (module migrations, links; no data scripts).
 * - `MEDUSA_TEST_TEMPLATE_DB_FULL`: `medusa db:migrate`, scripts included, what suites
 *   that start their own `medusa start` / `medusa develop` processes migrate.
 */
export const TEMPLATE_ENV = "MEDUSA_TEST_TEMPLATE_DB"
export const FULL_TEMPLATE_ENV = "MEDUSA_TEST_TEMPLATE_DB_FULL"

export function dbConfig() {
  return {
    host: process.env.DB_HOST ?? "localhost",
    port: Number.parseInt(process.env.DB_PORT ?? "5432", 10),
    user: process.env.DB_USERNAME ?? "postgres",
    password: process.env.DB_PASSWORD ?? "",
  }
}

export function databaseUrl(name: string): string {
  const db = dbConfig()
  const auth = db.password ? `${db.user}:${encodeURIComponent(db.password)}` : db.user
  return `postgres://${auth}@${db.host}:${db.port}/${name}`
}

async function withAdminClient<T>(fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ ...dbConfig(), database: "postgres" })
  await client.connect()
  try {
    return await fn(client)
  } finally {
    await client.end()
  }
}

/** Drops `name` (closing its connections) and creates it empty, or as a copy of `template`. */
export async function recreateDatabase(name: string, template?: string): Promise<void> {
  await withAdminClient(async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
    const sql = template ? `CREATE DATABASE "${name}" TEMPLATE "${template}"` : `CREATE DATABASE "${name}"`
    // A template cannot be copied while a session is connected to it; none should be,
    // but a migration process that has just exited may still be leaving.
    for (let attempt = 1; ; attempt++) {
      try {
        await client.query(sql)
        return
      } catch (error) {
        if (!template || attempt >= 20 || !/being accessed by other users/.test(String((error as Error).message))) throw error
        await new Promise((r) => setTimeout(r, 250))
      }
    }
  })
}

export async function dropDatabaseIfExists(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).then(() => undefined))
}
