import { spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import net from "node:net"
import os from "node:os"
import path from "node:path"
import { FULL_TEMPLATE_ENV, databaseUrl as testDatabaseUrl, dropDatabaseIfExists, recreateDatabase } from "../test-databases"
import type { StoreFixture } from "../helpers/store-fixture"

/**
 * Real Medusa processes for the tests that need them (kill -9 recovery, several
 * instances): a database of their own, migrated (or copied from the run's migrated
 * template) and seeded by the Medusa CLI, and
 * `medusa start` processes that can be killed and restarted.
 */

const root = path.resolve(__dirname, "..", "..")
const medusaBin = path.join(root, "node_modules", ".bin", "medusa")

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

/** Databases of this process created as copies of the run's migrated template. */
const copiedFromTemplate = new Set<string>()

/**
 * A fresh database; returns its URL. Under `npm test` it is a copy of the run's database
 * migrated by `medusa db:migrate` (integration-tests/test-databases.ts), and
 * `migrateAndSeed` then has nothing left to migrate; elsewhere (bench, chaos) it is empty.
 */
export async function createDatabase(name: string): Promise<string> {
  const template = process.env[FULL_TEMPLATE_ENV]
  await recreateDatabase(name, template)
  const url = testDatabaseUrl(name)
  if (template) copiedFromTemplate.add(url)
  return url
}

export async function dropDatabase(name: string): Promise<void> {
  await dropDatabaseIfExists(name).catch(() => undefined)
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

/** Migrates the database (unless it is a copy of a migrated one) and seeds the demo store; returns the store fixture. */
export async function migrateAndSeed(databaseUrl: string): Promise<StoreFixture> {
  const env = medusaEnv(databaseUrl)
  if (!copiedFromTemplate.has(databaseUrl)) await medusaCli(["db:migrate"], env)
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
