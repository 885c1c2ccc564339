import { runAttackStorm, type AttackReport } from "../../bench/chaos/attack"
import { formatAttackReport } from "../../bench/chaos/attack-report"

jest.setTimeout(15 * 60_000)

/**
 * The small version of the attack storm of `npm run chaos`: a real `medusa start` process
 * and a sandbox of its own; 6 real checkouts (both gateways) without an attack, then 6
 * more while 1,000 forged SecPaid webhooks (~50 KB), 200 browser returns of a real unpaid
 * SecPaid session and 200 wrongly signed or unsigned PayIn webhooks arrive from 4 loopback
 * source addresses. It checks the books and that the attack really happened; the figures
 * (latency, SecPaid calls, table growth) are printed, not asserted.
 */
let report: AttackReport

beforeAll(async () => {
  report = await runAttackStorm({
    checkouts: 6,
    concurrency: 3,
    secpaidWebhooks: 1_000,
    returns: 200,
    payinWebhooks: 200,
    sources: 4,
    // Enough for the store to finish its writes; the full run waits 65 s.
    flushWaitMs: 10_000,
    // On a busy machine the 6 checkouts may finish before 1,400 requests are sent.
    attackUntilSent: true,
    seed: 3,
    log: (line) => process.stdout.write(`[chaos-attack] ${line}\n`),
  })
  process.stdout.write(`${formatAttackReport(report)}\n`)
}, 15 * 60_000)

it("the attack really happened: every planned request was sent and answered, from every source address", () => {
  expect(report.attack.sent).toEqual({ "secpaid-webhook": 1_000, "secpaid-return": 200, "payin-webhook": 200 })
  // A SecPaid post over 16 KB is refused before its body is read: the store answers 413 and
  // closes the connection, so a sender still writing, or reusing that kept-alive socket for
  // its next request, may see it reset. Those count as answered (the store closed them), and
  // stay rare: at most 1 % of each kind (2 of a small kind).
  for (const [kind, answers] of Object.entries(report.attack.answered)) {
    const resets = answers["error: ECONNRESET"] ?? 0
    const answered = Object.entries(answers).filter(([status]) => /^\d{3}$/.test(status)).reduce((s, [, n]) => s + n, 0) + resets
    expect({ kind, answered }).toEqual({ kind, answered: report.attack.sent[kind] })
    expect(resets).toBeLessThanOrEqual(Math.max(2, report.attack.sent[kind] / 100))
  }
  expect(Object.keys(report.attack.sources).sort()).toEqual(["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"])
})

it("real shoppers paid in both phases, and every payment became exactly one order", () => {
  for (const phase of report.phases) {
    expect(phase.paymentsMade).toBeGreaterThan(0)
    expect(phase.paidWithoutOrder).toBe(0)
  }
  expect(report.ordersTotal).toBe(report.paidAtSandbox)
  const named = Object.fromEntries(report.invariants.map((i) => [i.name, i.value]))
  expect(named["carts with an order = payments paid at the sandbox (both phases)"]).toBe(0)
  expect(named["duplicate orders"]).toBe(0)
})

it("no forged request was accepted: no order or payment for an unpaid cart, every PayIn forgery refused", () => {
  expect(report.invariants.find((i) => i.name.startsWith("forged accepted"))!.value).toBe(0)
  expect(Object.keys(report.attack.answered["payin-webhook"]).filter((status) => status.startsWith("2"))).toEqual([])
})

it("no log line of the store contains a configured secret", () => {
  expect(report.logLinesScanned).toBeGreaterThan(0)
  expect(report.logLinesWithSecret).toBe(0)
  expect(report.ok).toBe(true)
})
