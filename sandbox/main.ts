import {
  SANDBOX_PAYIN_API_KEY,
  SANDBOX_PAYIN_WEBHOOK_SECRET,
  SANDBOX_SECPAID_DEV_KEY,
  SANDBOX_SECPAID_PROD_KEY,
  SANDBOX_SECPAID_USER_ID,
} from "./credentials"
import { startSandbox } from "./server"

/** `npm run sandbox`: the sandbox as a standalone process (port 9100 or SANDBOX_PORT). */
async function main() {
  const sandbox = await startSandbox({
    port: process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : 9100,
    persistFile: process.env.SANDBOX_STATE_FILE || undefined,
  })
  const lines = [
    `Gateway sandbox listening on ${sandbox.url}`,
    ``,
    `SecPaid  API      ${sandbox.url}/secpaid/api/v2/   (header  token: <key>)`,
    `         dev key  ${SANDBOX_SECPAID_DEV_KEY}`,
    `         prod key ${SANDBOX_SECPAID_PROD_KEY}`,
    `         user id  ${SANDBOX_SECPAID_USER_ID}`,
    `PayIn    API      ${sandbox.url}/payin/api/v1   (Authorization: Bearer <key>)`,
    `         API key  ${SANDBOX_PAYIN_API_KEY}`,
    `         webhook secret ${SANDBOX_PAYIN_WEBHOOK_SECRET}`,
    `Control  ${sandbox.url}/__control   Index ${sandbox.url}/`,
    process.env.SANDBOX_STATE_FILE ? `State file ${process.env.SANDBOX_STATE_FILE}` : `State in memory (set SANDBOX_STATE_FILE to keep it)`,
  ]
  console.log(lines.join("\n"))
  const stop = () => {
    sandbox.close().then(() => process.exit(0))
  }
  process.on("SIGINT", stop)
  process.on("SIGTERM", stop)
}

main().catch((e) => {
  console.error(`The sandbox could not start: ${(e as Error).message}`)
  process.exit(1)
})
