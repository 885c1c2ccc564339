/**
 * `npm run chaos` — issue 9's fault storm against a real store and the sandbox:
 * CHAOS_CHECKOUTS checkouts (default 1,000, half per gateway), CHAOS_CONCURRENCY at a
 * time (default 5), CHAOS_SEED (default 1). What the storm does: bench/chaos/storm.ts.
 *
 * Prints the counts table, writes bench/results/chaos-<timestamp>.json and exits 1 when
 * an invariant fails. PostgreSQL: DATABASE_URL or DB_HOST/DB_PORT/DB_USERNAME/DB_PASSWORD
 * if set, otherwise an embedded server for the run. All traffic goes to localhost.
 */
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { startBenchDatabaseServer } from "./database"
import { runChaosStorm } from "./chaos/storm"
import { formatReport } from "./chaos/report"

const root = path.resolve(__dirname, "..")
const int = (v: string | undefined, fallback: number) => {
  const n = Number.parseInt(v ?? "", 10)
  return Number.isSafeInteger(n) && n > 0 ? n : fallback
}
const log = (line: string) => console.log(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`)

async function main(): Promise<boolean> {
  const { stop: stopDatabase } = await startBenchDatabaseServer("chaos")
  try {
    const startedAt = new Date()
    const report = await runChaosStorm({
      checkouts: Math.max(4, int(process.env.CHAOS_CHECKOUTS, 1000)),
      concurrency: int(process.env.CHAOS_CONCURRENCY, 5),
      seed: int(process.env.CHAOS_SEED, 1),
      log,
    })
    console.log(`\n${formatReport(report)}\n`)
    const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.release()}` }
    const file = path.join(root, "bench", "results", `chaos-${startedAt.toISOString().replace(/[:.]/g, "-")}.json`)
    fs.mkdirSync(path.dirname(file), { recursive: true })
    fs.writeFileSync(file, JSON.stringify({ startedAt: startedAt.toISOString(), command: "npm run chaos", machine, ...report }, null, 2))
    console.log(`results: ${path.relative(root, file)}`)
    for (const o of report.offenders as Array<Record<string, unknown>>) console.log(`  off: ${JSON.stringify(o).slice(0, 1500)}`)
    console.log(report.ok ? "CHAOS: all invariants hold" : "CHAOS: an invariant failed")
    return report.ok
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
