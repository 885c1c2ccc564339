import fs from "node:fs"
import os from "node:os"
import path from "node:path"

const root = path.resolve(__dirname, "..")

/**
 * The PostgreSQL server `npm run bench` and `npm run chaos` create their store database on:
 * the one in DATABASE_URL (its parts copied into DB_*), the one DB_* already names, or an
 * embedded server of their own (scripts/lib/postgres.mjs, fsync off) removed by `stop`.
 */
export async function startBenchDatabaseServer(label: string): Promise<{ stop: () => Promise<void>; describe: string }> {
  if (process.env.DATABASE_URL) {
    const u = new URL(process.env.DATABASE_URL)
    Object.assign(process.env, { DB_HOST: u.hostname, DB_PORT: u.port || "5432", DB_USERNAME: decodeURIComponent(u.username || "postgres"), DB_PASSWORD: decodeURIComponent(u.password) })
    return { stop: async () => undefined, describe: `PostgreSQL at ${u.hostname}:${u.port || 5432} (DATABASE_URL)` }
  }
  if (process.env.DB_HOST) return { stop: async () => undefined, describe: `PostgreSQL at ${process.env.DB_HOST}:${process.env.DB_PORT ?? 5432} (DB_HOST)` }
  const { startEmbeddedPostgres } = await import(path.join(root, "scripts/lib/postgres.mjs"))
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${label}-pg-`)) + "/data"
  const pg = await startEmbeddedPostgres({ dataDir, persistent: false })
  Object.assign(process.env, { DB_HOST: "localhost", DB_PORT: String(pg.port), DB_USERNAME: pg.user, DB_PASSWORD: pg.password })
  return {
    stop: async () => {
      await pg.stop()
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true })
    },
    describe: `embedded PostgreSQL (scripts/lib/postgres.mjs, fsync off) on port ${pg.port}`,
  }
}
