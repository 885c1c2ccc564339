import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import type { SandboxContext } from "./context"

/**
 * Optional JSON-file persistence so a demo survives a restart. Only gateway state
 * (links, pay-in rows, orders, configuration, clock offset) is saved; the request
 * log, deliveries and faults are per-run.
 */
type Snapshot = {
  version: 1
  clockOffsetMs: number
  secpaid: ReturnType<SandboxContext["secpaid"]["toJSON"]>
  payin: ReturnType<SandboxContext["payin"]["toJSON"]>
}

export function saveSnapshot(file: string, ctx: SandboxContext): void {
  const snapshot: Snapshot = {
    version: 1,
    clockOffsetMs: ctx.clock.offset,
    secpaid: ctx.secpaid.toJSON(),
    payin: ctx.payin.toJSON(),
  }
  mkdirSync(dirname(file), { recursive: true })
  const tmp = `${file}.tmp`
  writeFileSync(tmp, JSON.stringify(snapshot, null, 2))
  renameSync(tmp, file)
}

/** Loads a snapshot if the file exists; a missing or unreadable file starts empty (and says so). */
export function loadSnapshot(file: string, ctx: SandboxContext, warn: (line: string) => void): void {
  let text: string
  try {
    text = readFileSync(file, "utf8")
  } catch {
    return
  }
  try {
    const snapshot = JSON.parse(text) as Partial<Snapshot>
    if (snapshot.version !== 1) throw new Error(`unknown version ${String(snapshot.version)}`)
    ctx.clock.setOffsetMs(snapshot.clockOffsetMs ?? 0)
    if (snapshot.secpaid) ctx.secpaid.load(snapshot.secpaid)
    if (snapshot.payin) ctx.payin.load(snapshot.payin)
  } catch (e) {
    warn(`Sandbox state file ${file} could not be read (${(e as Error).message}); starting with empty state.`)
  }
}
