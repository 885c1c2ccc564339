import fs from "node:fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import { SandboxControl } from "../sandbox/control-client"
import { reconcileGatewayPayments } from "../src/workflows/reconcile-gateway-payments"

/**
 * `medusa exec` step of bench/run.ts: creates one pending SecPaid payment session per
 * pay id in $BENCH_PAY_IDS_FILE (the links already exist at the bench's sandbox), then
 * runs the plugin's reconciliation once and writes its report, wall time and the
 * SecPaid calls the sandbox saw during it to $BENCH_RESULT_FILE.
 */
export default async function benchReconcile({ container }: ExecArgs) {
  const idsFile = process.env.BENCH_PAY_IDS_FILE
  const resultFile = process.env.BENCH_RESULT_FILE
  const sandboxUrl = process.env.SANDBOX_URL
  if (!idsFile || !resultFile || !sandboxUrl) throw new Error("Set BENCH_PAY_IDS_FILE, BENCH_RESULT_FILE and SANDBOX_URL (bench/run.ts does).")
  const payIds = JSON.parse(fs.readFileSync(idsFile, "utf8")) as string[]

  const paymentModule = container.resolve(Modules.PAYMENT) as any
  const [collection] = await paymentModule.createPaymentCollections([{ currency_code: "eur", amount: 30 }])
  const sessions = payIds.map((payId) => ({
    payment_collection_id: collection.id,
    provider_id: "pp_secpaid_secpaid",
    currency_code: "eur",
    amount: 30,
    status: "pending",
    data: { pay_id: payId, amount: "30.00", currency: "eur" },
  }))
  for (let i = 0; i < sessions.length; i += 1000) await paymentModule.createPaymentSessions(sessions.slice(i, i + 1000))

  const control = new SandboxControl(sandboxUrl)
  // The sandbox's request log is capped, so calls are counted by time, not by index.
  const startedAt = Date.now()
  const started = process.hrtime.bigint()
  const report = await reconcileGatewayPayments(container, { pendingAfterMs: 0 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  const calls = (await control.requests({ gateway: "secpaid" })).filter((c) => !c.endpoint.includes("/") && new Date(c.at).getTime() >= startedAt)
  fs.writeFileSync(resultFile, JSON.stringify({ report, ms, calls: calls.map((c) => c.endpoint) }))
}
