#!/usr/bin/env node
// `npm test`: every jest project (unit, integration over HTTP, browser e2e) in one
// run against a real PostgreSQL. With DB_HOST set, that server is used (the role
// must be allowed to create databases); otherwise an embedded PostgreSQL is started
// for the run and removed afterwards. Extra arguments are passed to jest.
import { spawn } from "node:child_process"
import fs from "node:fs"
import path from "node:path"
import os from "node:os"
import { fileURLToPath } from "node:url"
import { startEmbeddedPostgres } from "./lib/postgres.mjs"

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..")
process.chdir(root)

const fail = (sentence) => {
  console.error(`\nnpm test: ${sentence}`)
  process.exit(1)
}

if (!fs.existsSync(path.join(root, "node_modules", "jest"))) {
  fail("dependencies are not installed; run `npm install` (or `npm ci`) first.")
}

// Medusa logs every migration at info level; keep test output to what matters.
const env = { LOG_LEVEL: "error", ...process.env, NODE_ENV: "test" }
let pg
if (!env.DB_HOST) {
  const dataDir = path.join(root, ".data", `test-pg-${process.pid}`, "db")
  try {
    pg = await startEmbeddedPostgres({ dataDir, persistent: false })
  } catch (error) {
    fail(`could not start the embedded PostgreSQL (${error?.message ?? error}); set DB_HOST, DB_PORT, DB_USERNAME and DB_PASSWORD to use an existing server instead.`)
  }
  // DB_HOST must be "localhost": with 127.0.0.1 Medusa's test runner turns on SSL.
  Object.assign(env, { DB_HOST: "localhost", DB_PORT: String(pg.port), DB_USERNAME: pg.user, DB_PASSWORD: pg.password })
  console.log(`npm test: embedded PostgreSQL on port ${pg.port} (set DB_HOST to use your own).`)
} else {
  env.DB_USERNAME ??= "postgres"
  env.DB_PASSWORD ??= ""
  console.log(`npm test: PostgreSQL at ${env.DB_HOST}:${env.DB_PORT ?? 5432} as ${env.DB_USERNAME}.`)
}

// REDIS_URL is for the two-instance suite, which starts its own Medusa processes on it;
// every other suite runs its app in-process on Medusa's in-memory modules.
if (env.REDIS_URL) {
  env.TEST_REDIS_URL = env.REDIS_URL
  delete env.REDIS_URL
}

// Suites run on TEST_WORKERS jest workers (default: one per CPU core, 2 to 4). Each
// worker has its own gateway sandbox and Medusa port (integration-tests/global-setup.ts)
// and each suite its own database, so suites on different workers do not meet.
// TEST_WORKERS=1 runs everything in band, in this one process.
const cores = os.availableParallelism?.() ?? os.cpus().length
const workers = Math.max(1, Number.parseInt(env.TEST_WORKERS ?? "", 10) || Math.min(4, Math.max(2, cores)))
const resultsFile = path.join(os.tmpdir(), `jest-results-${process.pid}.json`)
const jestArgs = [
  path.join(root, "node_modules", "jest", "bin", "jest.js"),
  workers === 1 ? "--runInBand" : `--maxWorkers=${workers}`,
  "--forceExit",
  "--json",
  `--outputFile=${resultsFile}`,
  ...process.argv.slice(2),
]

// Each suite's in-process Medusa app leaves some heap behind, so a process running many
// suites needs more than Node's default limit (one in-band process ran out at ~3.7 GB
// with 56 suites). Workers inherit this limit: half the machine's memory shared between
// them, between 3 and 8 GB each.
const heapMb = Math.min(8192, Math.max(3072, Math.floor(os.totalmem() / 2 ** 20 / 2 / workers)))

const started = Date.now()
const child = spawn(process.execPath, [`--max-old-space-size=${heapMb}`, "--expose-gc", "--experimental-vm-modules", ...jestArgs], { env, stdio: "inherit" })
let interrupted = false
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => {
    interrupted = true
    child.kill(signal)
  })
}
const code = await new Promise((resolve) => child.on("exit", (c, s) => resolve(c ?? (s ? 1 : 0))))

if (pg) {
  await pg.stop().catch(() => {})
  fs.rmSync(path.dirname(path.join(root, ".data", `test-pg-${process.pid}`, "db")), { recursive: true, force: true })
}

// Jest's own summary is printed above; this plain line repeats it in a form any CI reads.
try {
  const r = JSON.parse(fs.readFileSync(resultsFile, "utf8"))
  fs.rmSync(resultsFile, { force: true })
  const secs = Math.round((Date.now() - started) / 1000)
  // Where the time went: the slowest suites, and how much of each was spent outside its
  // tests (booting its Medusa app, starting processes, hooks).
  const slowest = r.testResults
    .map((t) => ({
      name: path.relative(root, t.name),
      total: (t.endTime - t.startTime) / 1000,
      tests: t.assertionResults.length,
      inTests: t.assertionResults.reduce((sum, a) => sum + (a.duration ?? 0), 0) / 1000,
    }))
    .sort((a, b) => b.total - a.total)
    .slice(0, Number(env.TEST_SLOWEST ?? 8))
  if (slowest.length > 1) {
    console.log("\nslowest suites:")
    for (const t of slowest) console.log(`  ${t.total.toFixed(0).padStart(5)} s  ${t.name} (${t.tests} tests, ${t.inTests.toFixed(0)} s in tests)`)
  }
  console.log(`\n${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped (${r.numTotalTestSuites} suites, ${secs} s)`)
} catch {
  if (!interrupted) console.error("npm test: jest wrote no results file; see its output above.")
}
process.exit(code)
