import { startSandbox } from "../sandbox/server"
import * as credentials from "../sandbox/credentials"
import { freePort } from "./multi-instance/medusa-process"

/**
 * Runs once before every jest project: starts the gateway sandbox in-process on a
 * random port and fixes the port Medusa test apps listen on, so that
 * medusa-config.ts (loaded by each suite) points the providers at the sandbox and
 * gives them the store's own URL for webhooks and browser returns.
 */

export default async function globalSetup() {
  // Both the integration and the e2e project declare this setup; one sandbox serves both.
  if ((globalThis as any).__SANDBOX__) return
  // One sandbox serves every suite of the run, so SecPaid's 60 requests/minute would be
  // shared across suites; each app's SecPaid request budget still keeps it at 60/min, and
  // the sandbox's own tests cover its limit at 60.
  const sandbox = await startSandbox({
    port: 0,
    retryDelaysMs: [100, 200, 400, 800, 1600],
    secpaid: { rateLimitPerMinute: 6000 },
  })
  ;(globalThis as any).__SANDBOX__ = sandbox
  const port = await freePort()
  process.env.SANDBOX_URL = sandbox.url
  // Tests only ever talk to the sandbox: its fixed credentials, never a real key.
  process.env.SECPAID_API_KEY = credentials.SANDBOX_SECPAID_DEV_KEY
  process.env.PAYIN_API_KEY = credentials.SANDBOX_PAYIN_API_KEY
  process.env.PAYIN_WEBHOOK_SECRET = credentials.SANDBOX_PAYIN_WEBHOOK_SECRET
  delete process.env.SECPAID_BASE_URL
  delete process.env.PAYIN_BASE_URL
  process.env.PORT = String(port)
  process.env.MEDUSA_BACKEND_URL = `http://localhost:${port}`
}
