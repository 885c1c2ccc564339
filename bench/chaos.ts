/**
 * `npm run chaos` — the fault storm, then the attack storm, against real stores and the sandbox.
 *
 * Fault storm (bench/chaos/storm.ts): CHAOS_CHECKOUTS checkouts (default 1,000, half per
 * gateway), CHAOS_CONCURRENCY at a time (default 5), CHAOS_SEED (default 1).
 * CHAOS_CHECKOUTS=0 skips it (only the attack storm runs).
 *
 * Attack storm (bench/chaos/attack.ts), skipped with CHAOS_ATTACK=0: CHAOS_ATTACK_CHECKOUTS
 * real checkouts per phase (default 40), CHAOS_ATTACK_CONCURRENCY at a time (default 4),
 * once without and once under an attack of CHAOS_ATTACK_SECPAID forged SecPaid webhooks
 * (default 10,000), CHAOS_ATTACK_RETURNS browser returns of an unpaid session (2,000) and
 * CHAOS_ATTACK_PAYIN forged PayIn webhooks (2,000) from CHAOS_ATTACK_SOURCES loopback
 * addresses (8) over CHAOS_ATTACK_SOCKETS sockets (16); the sandbox allows
 * CHAOS_ATTACK_SECPAID_RATE_LIMIT SecPaid calls a minute (60, as SecPaid); the plugin's
 * tables are measured CHAOS_ATTACK_FLUSH_WAIT_MS after each phase (65,000).
 *   CHAOS_CHECKOUTS=0 npm run chaos                      # the attack storm only
 *   CHAOS_ATTACK=0 npm run chaos                         # the fault storm only
 *
 * Prints each storm's table, writes bench/results/chaos-<timestamp>.json and
 * chaos-attack-<timestamp>.json, and exits 1 when an invariant fails (a missed target of
 * the attack storm is printed, not a failure). PostgreSQL: DATABASE_URL or
 * DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD if set, otherwise an embedded server for the
 * run. All traffic goes to loopback addresses.
 */
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { startBenchDatabaseServer } from "./database"
import { runChaosStorm } from "./chaos/storm"
import { formatReport } from "./chaos/report"
import { runAttackStorm } from "./chaos/attack"
import { formatAttackReport } from "./chaos/attack-report"

const root = path.resolve(__dirname, "..")
const int = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}
/** Like `int`, but 0 is a value (sizes that may be switched off). */
const count = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10)
  return Number.isSafeInteger(n) && n >= 0 ? n : fallback
}
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`)
const attackLog = (line: string) => console.log(`[attack ${new Date().toISOString().slice(11, 19)}] ${line}`)

const machine = () => ({ cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` })

function writeResults(name: string, startedAt: Date, report: object): void {
  const file = path.join(root, "bench", "results", `${name}-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
  fs.mkdirSync(path.dirname(file), { recursive: true })
  fs.writeFileSync(file, JSON.stringify({ startedAt: startedAt.toISOString(), command: "npm run chaos", machine: machine(), ...report }, null, 2))
  console.log(`results: ${path.relative(root, file)}`)
}

async function faultStorm(checkouts: number): Promise<boolean> {
  const startedAt = new Date()
  const report = await runChaosStorm({
    checkouts: Math.max(4, checkouts),
    concurrency: int(process.env.CHAOS_CONCURRENCY, 5),
    seed: int(process.env.CHAOS_SEED, 1),
    log,
  })
  console.log(`\n${formatReport(report)}\n`)
  writeResults("chaos", startedAt, report)
  for (const o of report.offenders as Array<Record<string, unknown>>) console.log(`  off: ${JSON.stringify(o).slice(0, 1500)}`)
  console.log(report.ok ? "CHAOS: all invariants hold" : "CHAOS: an invariant failed")
  return report.ok
}

async function attackStorm(): Promise<boolean> {
  const startedAt = new Date()
  const env = process.env
  const report = await runAttackStorm({
    checkouts: Math.max(2, int(env.CHAOS_ATTACK_CHECKOUTS, 40)),
    concurrency: int(env.CHAOS_ATTACK_CONCURRENCY, 4),
    secpaidWebhooks: count(env.CHAOS_ATTACK_SECPAID, 10_000),
    returns: count(env.CHAOS_ATTACK_RETURNS, 2_000),
    payinWebhooks: count(env.CHAOS_ATTACK_PAYIN, 2_000),
    sources: int(env.CHAOS_ATTACK_SOURCES, 8),
    sockets: int(env.CHAOS_ATTACK_SOCKETS, 16),
    secpaidRateLimitPerMinute: int(env.CHAOS_ATTACK_SECPAID_RATE_LIMIT, 60),
    flushWaitMs: count(env.CHAOS_ATTACK_FLUSH_WAIT_MS, 65_000),
    seed: int(env.CHAOS_SEED, 1),
    log: attackLog,
  })
  console.log(`\n${formatAttackReport(report)}\n`)
  writeResults("chaos-attack", startedAt, report)
  for (const o of report.offenders) console.log(`  off: ${JSON.stringify(o).slice(0, 1500)}`)
  console.log(report.ok ? "ATTACK: all invariants hold" : "ATTACK: an invariant failed")
  return report.ok
}

async function main(): Promise<boolean> {
  const { stop: stopDatabase } = await startBenchDatabaseServer("chaos")
  try {
    const checkouts = count(process.env.CHAOS_CHECKOUTS, 1000)
    const faultOk = checkouts > 0 ? await faultStorm(checkouts) : true
    const attackOk = process.env.CHAOS_ATTACK !== "0" ? await attackStorm() : true
    return faultOk && attackOk
  } finally {
    await stopDatabase().catch((e) => console.error(`cleanup: ${(e as Error).message}`))
  }
}

main().then(
  (ok) => process.exit(ok ? 0 : 1),
  (e) => {
    console.error(e)
    process.exit(1)
  }
)
