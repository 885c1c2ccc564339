import { runChaosStorm, type ChaosReport } from "../../bench/chaos/storm"
import { formatReport } from "../../bench/chaos/report"

jest.setTimeout(15 * 60_000)

/**
 * The small version of `npm run chaos`: 24 checkouts, 4 at a time, across
 * both gateways, against a real `medusa start` process and a sandbox of the storm's
 * own (its faults never reach the shared sandbox of the other suites). Duplicated,
 * reordered, delayed, dropped webhooks; forged / replayed / unsigned / wrong-secret
 * attacks on unpaid payments; gateway 429 / 500 / timeout / slow bursts; kill -9 of
 * the store mid-storm and a restart; one reconciliation pass. Then the books must agree.
 */
let report: ChaosReport

beforeAll(async () => {
  report = await runChaosStorm({
    checkouts: 24,
    concurrency: 4,
    seed: 7,
    burstEveryMs: 4000,
    log: (line) => process.stdout.write(`[chaos-storm] ${line}\n`),
  })
  process.stdout.write(`${formatReport(report)}\n`)
}, 15 * 60_000)

it("the storm really happened: payments were made and paid, attacks sent, faults applied, the store killed and restarted", () => {
  expect(report.paidAtSandbox).toBeGreaterThan(0)
  expect(Object.values(report.attacks).reduce((s, a) => s + a.sent, 0)).toBeGreaterThan(0)
  expect(Object.values(report.faultsApplied).reduce((s, n) => s + n, 0)).toBeGreaterThan(0)
  expect(Object.keys(report.webhookModesApplied).length).toBeGreaterThan(0)
  expect(report.kill.downtimeMs).toBeGreaterThan(0)
  // Payments made while the store was dead: their webhooks went nowhere.
  expect(report.kill.paidWhileStoreDown!.paidAtSandbox).toBeGreaterThan(0)
  expect(report.webhooks.undelivered).toBeGreaterThan(0)
})

it("every payment paid at the sandbox has exactly one order, and no order exists without one — those paid while the store was dead too", () => {
  expect(report.orders).toBe(report.paidAtSandbox)
  expect(report.ordersTotal).toBe(report.paidAtSandboxTotal)
  expect(report.paidWithoutOrderAfterReconciliation).toBe(0)
  expect(report.duplicateOrders).toBe(0)
  expect(report.kill.paidWhileStoreDown!.withOneOrder).toBe(report.kill.paidWhileStoreDown!.paidAtSandbox)
})

it("no forged or replayed webhook was accepted", () => {
  expect(report.forgedOrReplayedAccepted).toBe(0)
})

it("no log line of any Medusa process (the killed one, the restarted one, medusa exec) contains a configured secret", () => {
  expect(report.logLinesScanned).toBeGreaterThan(0)
  expect(report.logLinesWithSecret).toBe(0)
})
