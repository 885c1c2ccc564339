#!/usr/bin/env node
// `npm run dev`: a working store from a fresh `npm install`, with no database set up.
//  - PostgreSQL: DATABASE_URL if set, otherwise an embedded one kept in .data/pg
//  - migrations (skipped when nothing changed since the last run), demo data, admin login
//  - the gateway sandbox (SecPaid + PayIn) and `medusa develop` with the admin
//  - the demo storefront (dev/storefront) where both payments can be clicked through
// Ctrl-C stops everything this script started.
import { spawn } from "node:child_process"
import crypto from "node:crypto"
import fs from "node:fs"
import path from "node:path"
import { fileURLToPath } from "node:url"
import { isPortFree, startEmbeddedPostgres } from "./lib/postgres.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
process.chdir(root)
const dataDir = path.join(root, ".data")
const t0 = Date.now()
const children = []
let pg
let storefront

const say = (line) => console.log(`[dev] ${line}`)
class Stop extends Error {}
const stop = (sentence) => {
  throw new Stop(sentence)
}

function parsePort(name, fallback) {
  const raw = process.env[name]
  if (raw === undefined || raw === "") return fallback
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || Number(raw) > 65535) {
    stop(`${name}="${raw}" is not a port number; set it to a number between 1 and 65535 or unset it.`)
  }
  return Number(raw)
}

function run(cmd, args, env, { quiet = false } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: quiet ? ["ignore", "pipe", "pipe"] : "inherit" })
    let output = ""
    child.stdout?.on("data", (d) => (output += d))
    child.stderr?.on("data", (d) => (output += d))
    child.on("exit", (code) => (code === 0 ? resolve(output) : reject(Object.assign(new Error(`${cmd} ${args.join(" ")} exited with ${code}`), { output }))))
  })
}

function startChild(name, cmd, args, env) {
  // Own process group: `medusa develop` forks a server process, and the whole group must stop with us.
  const child = spawn(cmd, args, { env, stdio: ["ignore", "pipe", "pipe"], detached: true })
  const prefix = (d) =>
    String(d)
      .split("\n")
      .filter((l) => l.trim())
      .forEach((l) => process.stdout.write(`[${name}] ${l}\n`))
  child.stdout.on("data", prefix)
  child.stderr.on("data", prefix)
  children.push(child)
  return child
}

async function waitForHttp(url, timeoutMs, child, what) {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) stop(`${what} exited during start-up (code ${child.exitCode}); its output is above.`)
    try {
      const res = await fetch(url)
      if (res.ok) return
    } catch {}
    await new Promise((r) => setTimeout(r, 250))
  }
  stop(`${what} did not answer at ${url} within ${Math.round(timeoutMs / 1000)} s; its output is above.`)
}

async function checkDatabase(url) {
  const { default: pgLib } = await import("pg")
  const client = new pgLib.Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  try {
    await client.connect()
    await client.query("select 1")
  } catch (e) {
    stop(`cannot connect to DATABASE_URL (${e.code || e.message}); check the host, port, user and database name, or unset DATABASE_URL to use the embedded PostgreSQL.`)
  } finally {
    await client.end().catch(() => {})
  }
}

function migrationFingerprint(databaseUrl) {
  const hash = crypto.createHash("sha256").update(databaseUrl)
  for (const f of ["package-lock.json", "medusa-config.ts"]) if (fs.existsSync(f)) hash.update(fs.readFileSync(f))
  const walk = (dir) => {
    if (!fs.existsSync(dir)) return
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name)
      if (e.isDirectory()) walk(p)
      else if (p.includes(`${path.sep}migrations${path.sep}`) || p.endsWith(".ts")) hash.update(p).update(fs.readFileSync(p))
    }
  }
  walk(path.join(root, "src", "modules"))
  walk(path.join(root, "src", "links"))
  for (const f of ["dev/seed.ts", "dev/demo-store.ts"]) if (fs.existsSync(f)) hash.update(fs.readFileSync(f))
  return hash.digest("hex")
}

async function main() {
  const [major, minor] = process.versions.node.split(".").map(Number)
  if (!((major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major > 22)) {
    stop(`Node ${process.versions.node} is too old for Medusa 2.21; install Node 20.19+ or 22.12+.`)
  }
  if (!fs.existsSync(path.join(root, "node_modules", "@medusajs", "medusa"))) {
    stop("dependencies are not installed; run `npm install` first.")
  }
  const port = parsePort("PORT", 9000)
  const sandboxPort = parsePort("SANDBOX_PORT", 9100)
  const storefrontPort = parsePort("STOREFRONT_PORT", 8000)
  if (!(await isPortFree(port))) stop(`port ${port} is already in use (another Medusa?); stop that process or run with PORT=<free port>.`)
  if (!(await isPortFree(sandboxPort))) stop(`port ${sandboxPort} is already in use; stop that process or run with SANDBOX_PORT=<free port>.`)
  if (!(await isPortFree(storefrontPort))) stop(`port ${storefrontPort} is already in use; stop that process or run with STOREFRONT_PORT=<free port>.`)

  let databaseUrl = process.env.DATABASE_URL
  if (databaseUrl) {
    if (!/^postgres(ql)?:\/\//.test(databaseUrl)) stop(`DATABASE_URL must start with postgres:// (it is "${databaseUrl.slice(0, 12)}…"); fix it or unset it to use the embedded PostgreSQL.`)
    say("using the PostgreSQL in DATABASE_URL")
  } else {
    try {
      pg = await startEmbeddedPostgres({ dataDir: path.join(dataDir, "pg"), port: 54329, persistent: true })
    } catch (e) {
      stop(`the embedded PostgreSQL did not start (${e.message ?? e}); delete .data/pg to start from scratch, or set DATABASE_URL.`)
    }
    await pg.createDatabase("medusa_dev")
    databaseUrl = pg.url("medusa_dev")
    say(`embedded PostgreSQL ${pg.fresh ? "created" : "reused"} in .data/pg (port ${pg.port})`)
  }
  await checkDatabase(databaseUrl)

  const backendUrl = process.env.MEDUSA_BACKEND_URL || `http://localhost:${port}`
  const sandboxUrl = `http://localhost:${sandboxPort}`
  const storefrontUrl = `http://localhost:${storefrontPort}`
  const { sandboxCredentials } = await loadSandboxCredentials()
  const env = {
    ...process.env,
    NODE_ENV: "development",
    DATABASE_URL: databaseUrl,
    PORT: String(port),
    MEDUSA_BACKEND_URL: backendUrl,
    SANDBOX_URL: sandboxUrl,
    SECPAID_API_KEY: process.env.SECPAID_API_KEY || sandboxCredentials.secpaidDevKey,
    PAYIN_API_KEY: process.env.PAYIN_API_KEY || sandboxCredentials.payinApiKey,
    PAYIN_WEBHOOK_SECRET: process.env.PAYIN_WEBHOOK_SECRET || sandboxCredentials.payinWebhookSecret,
    // The gateways' hosted pages send the shopper back through the plugin's return routes to this page.
    STOREFRONT_RETURN_URL: process.env.STOREFRONT_RETURN_URL || `${storefrontUrl}/checkout/return`,
    STOREFRONT_ORIGINS: process.env.STOREFRONT_ORIGINS || storefrontUrl,
    STORE_CORS: process.env.STORE_CORS || `${storefrontUrl},${backendUrl}`,
  }

  const sandbox = startChild("sandbox", process.execPath, ["--import", "tsx", "sandbox/main.ts"], {
    ...env,
    SANDBOX_PORT: String(sandboxPort),
    SANDBOX_STATE_FILE: path.join(dataDir, "sandbox-state.json"),
    SANDBOX_PAYIN_WEBHOOK_URLS: process.env.SANDBOX_PAYIN_WEBHOOK_URLS || `${backendUrl}/hooks/payin`,
  })

  const medusaBin = path.join(root, "node_modules", ".bin", "medusa")
  const fingerprint = migrationFingerprint(databaseUrl)
  const stampFile = path.join(dataDir, "migrated.sha256")
  if (fs.existsSync(stampFile) && fs.readFileSync(stampFile, "utf8") === fingerprint) {
    say("database is up to date (no dependency, module or seed change since the last run)")
  } else {
    say("migrating the database…")
    try {
      await run(medusaBin, ["db:migrate"], env, { quiet: true })
      say("seeding the demo store…")
      await run(medusaBin, ["exec", "./dev/seed.ts"], env, { quiet: true })
    } catch (e) {
      process.stdout.write(e.output ?? "")
      stop("migration or seeding failed; the output above says why.")
    }
    fs.writeFileSync(stampFile, fingerprint)
  }
  await waitForHttp(`${sandboxUrl}/payin/health`, 15000, sandbox, "the gateway sandbox")

  say("starting Medusa…")
  const medusa = startChild("medusa", medusaBin, ["develop"], env)
  await waitForHttp(`${backendUrl}/health`, 120000, medusa, "Medusa")

  const store = JSON.parse(fs.readFileSync(path.join(dataDir, "dev-store.json"), "utf8"))
  storefront = await startDemoStorefront({ port: storefrontPort, backendUrl, publishableKey: store.publishableKey })
  const secs = Math.round((Date.now() - t0) / 100) / 10
  console.log(`
  Store ready in ${secs} s
  ─────────────────────────────────────────────────────────────────
  Demo storefront     ${storefront.url}     EUR → SecPaid, USD → PayIn; returns to ${env.STOREFRONT_RETURN_URL}
  Admin dashboard     ${backendUrl}/app      login ${store.admin.email} / ${store.admin.password}
  Store API           ${backendUrl}/store    header x-publishable-api-key: ${store.publishableKey}
  SecPaid webhook     ${backendUrl}/hooks/secpaid
  PayIn webhook       ${backendUrl}/hooks/payin
  Gateway sandbox     ${sandboxUrl}          control API ${sandboxUrl}/__control  (see sandbox/README.md)
  Database            ${databaseUrl.replace(/:[^:@/]+@/, ":•••@")}
  ─────────────────────────────────────────────────────────────────
  Ctrl-C stops Medusa, the sandbox, the storefront${pg ? " and PostgreSQL" : ""}.
`)
  await new Promise((resolve) => medusa.on("exit", resolve))
  if (!shuttingDown) stop("Medusa stopped; its output is above.")
}

async function loadSandboxCredentials() {
  const { register } = await import("tsx/esm/api")
  const unregister = register()
  try {
    const c = await import(path.join(root, "sandbox", "credentials.ts"))
    return {
      sandboxCredentials: {
        secpaidDevKey: c.SANDBOX_SECPAID_DEV_KEY,
        payinApiKey: c.SANDBOX_PAYIN_API_KEY,
        payinWebhookSecret: c.SANDBOX_PAYIN_WEBHOOK_SECRET,
      },
    }
  } finally {
    await unregister()
  }
}

// tsx's register() (not tsImport) so that esbuild, which the storefront bundles with, finds its binary.
async function startDemoStorefront(options) {
  const { register } = await import("tsx/esm/api")
  const unregister = register()
  try {
    const { startStorefront } = await import(path.join(root, "dev", "storefront", "server.ts"))
    return await startStorefront(options)
  } finally {
    await unregister()
  }
}

let shuttingDown = false
async function shutdown(code) {
  if (shuttingDown) return
  shuttingDown = true
  const signalGroup = (c, signal) => {
    try {
      process.kill(-c.pid, signal)
    } catch {}
  }
  const running = children.filter((c) => c.exitCode === null)
  for (const c of running) signalGroup(c, "SIGTERM")
  await Promise.all(
    running.map(
      (c) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => (signalGroup(c, "SIGKILL"), resolve()), 8000)
          c.on("exit", () => (clearTimeout(timer), resolve()))
        })
    )
  )
  // The group leader may exit before its forked server does.
  for (const c of children) signalGroup(c, "SIGKILL")
  await storefront?.close().catch(() => {})
  if (pg) await pg.stop().catch(() => {})
  process.exit(code)
}
process.on("SIGINT", () => shutdown(0))
process.on("SIGTERM", () => shutdown(0))

main().catch(async (e) => {
  if (shuttingDown) return
  if (e instanceof Stop) console.error(`\nnpm run dev: ${e.message}`)
  else console.error(`\nnpm run dev: unexpected failure: ${e?.stack ?? e}`)
  await shutdown(1)
})
