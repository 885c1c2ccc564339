import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { Client } from "pg"
import type { StoreFixture } from "../helpers/store-fixture"

/**
 * Real Medusa processes for the tests that need them (kill -9 recovery, several
 * instances): a database of their own, migrated and seeded by the Medusa CLI, and
 * `medusa start` processes that can be killed and restarted.
 */

const root = path.resolve(__dirname, "..", "..")
const medusaBin = path.join(root, "node_modules", ".bin", "medusa")

function dbConfig() {
  return {
    host: process.env.DB_HOST ?? "localhost",
    port: Number.parseInt(process.env.DB_PORT ?? "5432", 10),
    user: process.env.DB_USERNAME ?? "postgres",
    password: process.env.DB_PASSWORD ?? "",
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer()
    srv.once("error", reject)
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as net.AddressInfo
      srv.close(() => resolve(port))
    })
  })
}

/** A fresh database; returns its URL. */
export async function createDatabase(name: string): Promise<string> {
  const db = dbConfig()
  const client = new Client({ ...db, database: "postgres" })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
  await client.query(`CREATE DATABASE "${name}"`)
  await client.end()
  const auth = db.password ? `${db.user}:${encodeURIComponent(db.password)}` : db.user
  return `postgres://${auth}@${db.host}:${db.port}/${name}`
}

export async function dropDatabase(name: string): Promise<void> {
  const client = new Client({ ...dbConfig(), database: "postgres" })
  await client.connect()
  await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => undefined)
  await client.end()
}

/** Environment for a Medusa CLI process against `databaseUrl` (TypeScript loaded through tsx). */
export function medusaEnv(databaseUrl: string, extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: databaseUrl,
    MEDUSA_ADMIN_DISABLED: "true",
    NODE_OPTIONS: "--require tsx/cjs",
    ...extra,
  }
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete env[k]
  return env
}

/** Runs the Medusa CLI (`medusa <args>`) in the project; resolves with its output, rejects with its tail. */
export function medusaCli(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(medusaBin, args, { cwd: root, env, stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    child.stdout!.on("data", (d) => (out += d))
    child.stderr!.on("data", (d) => (out += d))
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`medusa ${args.join(" ")} exited with ${code}:\n${out.slice(-4000)}`))))
  })
}

/** Migrates the database and seeds the demo store; returns the store fixture. */
export async function migrateAndSeed(databaseUrl: string): Promise<StoreFixture> {
  const env = medusaEnv(databaseUrl)
  await medusaCli(["db:migrate"], env)
  const fixtureFile = path.join(os.tmpdir(), `medusa-fixture-${process.pid}-${Date.now()}.json`)
  await medusaCli(["exec", "./integration-tests/multi-instance/seed-store.ts"], { ...env, FIXTURE_FILE: fixtureFile })
  const fixture = JSON.parse(fs.readFileSync(fixtureFile, "utf8")) as StoreFixture
  fs.rmSync(fixtureFile, { force: true })
  return fixture
}

export type MedusaProcess = {
  url: string
  child: ChildProcess
  output(): string
  /** kill -9 of the whole process group: no shutdown hooks, no goodbye. */
  killHard(): Promise<void>
  stop(): Promise<void>
}

/** `medusa start` on `port`; resolves once /health answers. */
export async function startMedusa(port: number, env: NodeJS.ProcessEnv, label: string): Promise<MedusaProcess> {
  const child = spawn(medusaBin, ["start"], { cwd: root, env: { ...env, PORT: String(port) }, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  let output = ""
  child.stdout!.on("data", (d) => (output += d))
  child.stderr!.on("data", (d) => (output += d))
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()))
  const url = `http://localhost:${port}`
  const signal = async (sig: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return
    try {
      process.kill(-child.pid!, sig)
    } catch {
      child.kill(sig)
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))])
  }
  const proc: MedusaProcess = {
    url,
    child,
    output: () => output,
    killHard: () => signal("SIGKILL"),
    stop: async () => {
      await signal("SIGTERM")
      await signal("SIGKILL")
    },
  }
  const deadline = Date.now() + 180_000
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${label}: medusa start exited (${child.exitCode}):\n${output.slice(-4000)}`)
    const ok = await fetch(`${url}/health`).then((r) => r.ok, () => false)
    if (ok) return proc
    if (Date.now() > deadline) {
      await proc.stop()
      throw new Error(`${label}: medusa start did not become healthy in 180 s:\n${output.slice(-4000)}`)
    }
    await new Promise((r) => setTimeout(r, 500))
  }
}
