import { execFile, spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { promisify } from "node:util"
import axios, { type AxiosInstance } from "axios"
import { Client } from "pg"
import type { Browser, Page } from "playwright-core"
import { SandboxControl } from "../sandbox/control-client"
import { defaultSecPaidPaymentEndpoint } from "../src/providers/secpaid/options"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET, SANDBOX_SECPAID_DEV_KEY } from "../sandbox/credentials"
import { createCartReadyForPayment, startPaymentSession, waitFor } from "../integration-tests/helpers/checkout"
import type { StoreFixture } from "../integration-tests/helpers/store-fixture"
import { launchChromium, newShopper, saveScreenshot } from "./helpers/browser"
import { freePort } from "../integration-tests/multi-instance/medusa-process"
import { FULL_TEMPLATE_ENV, recreateDatabase } from "../integration-tests/test-databases"

/**
 * The merchant's side in real Chromium, against a real `medusa develop` of this
 * repository (Medusa's test runner disables the admin, so this suite starts its own
 * server on its own database): log in, open Settings → Payment gateways, save a key,
 * test the connection (OK, then a wrong key), pay a PayIn checkout, see the webhook
 * in the delivery log and the payment widget on the order.
 */
jest.setTimeout(15 * 60 * 1000)

const exec = promisify(execFile)
const root = path.resolve(__dirname, "..")
const ADMIN = { email: "merchant@e2e.test", password: "merchant-password" }


describe("Settings → Payment gateways in the admin (Chromium)", () => {
  const dbName = `admin_e2e_${process.pid}`
  const db = {
    host: process.env.DB_HOST || "localhost",
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USERNAME || "postgres",
    password: process.env.DB_PASSWORD || "",
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "admin-e2e-"))
  const sandbox = new SandboxControl(process.env.SANDBOX_URL!)
  let medusa: ChildProcess | undefined
  let output = ""
  let base = ""
  let env: NodeJS.ProcessEnv = {}
  let browser: Browser | undefined
  let page: Page
  let store: AxiosInstance
  let fixture: StoreFixture

  /**
   * `medusa develop` restarts on every file change under its directory, and other
   * work (and this suite's own screenshots) changes files in the repository while it
   * runs: the store runs from a private copy of the project instead.
   */
  const app = path.join(work, "app")
  const medusaBin = path.join(root, "node_modules", ".bin", "medusa")
  const run = (args: string[]) => exec(medusaBin, args, { cwd: app, env, maxBuffer: 64 * 1024 * 1024 })
  const consoleErrors: string[] = []

  beforeAll(async () => {
    fs.mkdirSync(app, { recursive: true })
    for (const entry of ["src", "dev", "sandbox", "medusa-config.ts", "package.json", "tsconfig.json"]) {
      fs.cpSync(path.join(root, entry), path.join(app, entry), { recursive: true })
    }
    fs.symlinkSync(path.join(root, "node_modules"), path.join(app, "node_modules"), "dir")

    // Under `npm test`, a copy of the run's database migrated by `medusa db:migrate`.
    const template = process.env[FULL_TEMPLATE_ENV]
    await recreateDatabase(dbName, template)

    const port = await freePort()
    base = `http://localhost:${port}`
    env = {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: `postgres://${db.user}:${encodeURIComponent(db.password)}@${db.host}:${db.port}/${dbName}`,
      PORT: String(port),
      MEDUSA_BACKEND_URL: base,
      MEDUSA_ADMIN_DISABLED: "false",
      SECPAID_API_KEY: SANDBOX_SECPAID_DEV_KEY,
      PAYIN_API_KEY: SANDBOX_PAYIN_API_KEY,
      PAYIN_WEBHOOK_SECRET: SANDBOX_PAYIN_WEBHOOK_SECRET,
      PAYMENT_GATEWAYS_INBOX_POLL_MS: "1000",
      LOG_LEVEL: "info",
    }
    if (!template) await run(["db:migrate"])
    await run(["user", "-e", ADMIN.email, "-p", ADMIN.password])

    // The demo store (regions, product, shipping, publishable key), seeded through `medusa exec`.
    const seedFile = path.join(work, "seed-admin-e2e.ts")
    const outFile = path.join(work, "store.json")
    fs.writeFileSync(
      seedFile,
      `import fs from "node:fs"
import { seedDemoStore } from ${JSON.stringify(path.join(app, "dev", "demo-store"))}
export default async function seed({ container }: any) {
  fs.writeFileSync(${JSON.stringify(outFile)}, JSON.stringify(await seedDemoStore(container)))
}
`
    )
    await run(["exec", seedFile])
    fixture = JSON.parse(fs.readFileSync(outFile, "utf8"))
    store = axios.create({ baseURL: base })

    medusa = spawn(medusaBin, ["develop"], { cwd: app, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    medusa.stdout!.on("data", (d) => (output += d))
    medusa.stderr!.on("data", (d) => (output += d))
    const deadline = Date.now() + 240_000
    for (;;) {
      if (medusa.exitCode !== null) throw new Error(`medusa develop exited (${medusa.exitCode}):\n${output.slice(-4000)}`)
      const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() > deadline) throw new Error(`medusa develop did not become healthy:\n${output.slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 500))
    }

    await sandbox.reset()
    await sandbox.payinSetWebhookEndpoints([{ url: `${base}/hooks/payin` }])
    browser = await launchChromium()
    const merchant = await newShopper(browser)
    // The admin's dev server compiles on first load: allow for a slow machine.
    merchant.context.setDefaultTimeout(120_000)
    merchant.context.setDefaultNavigationTimeout(180_000)
    page = merchant.page
    page.on("pageerror", (e) => consoleErrors.push(`pageerror: ${e.message}`))
    page.on("console", (m) => m.type() === "error" && consoleErrors.push(`console: ${m.text()}`))
  })

  afterAll(async () => {
    await browser?.close().catch(() => undefined)
    if (medusa?.pid && medusa.exitCode === null) {
      try {
        process.kill(-medusa.pid, "SIGKILL")
      } catch {}
    }
    const client = new Client({ ...db, database: "postgres" })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`)
    await client.end()
    fs.rmSync(work, { recursive: true, force: true })
  })

  /**
   * The admin's Vite dev server optimises its dependencies on the first visit and may
   * reload the page when done (minutes on a cold 2-core machine): try a few times.
   */
  async function openUntilVisible(url: string, selector: string) {
    let last: unknown
    for (let attempt = 1; attempt <= 4; attempt++) {
      try {
        await page.goto(url)
        await page.locator(selector).first().waitFor({ timeout: 120_000 })
        return
      } catch (error) {
        last = error
        await saveScreenshot(page, `admin-settings-first-load-attempt-${attempt}`).catch(() => undefined)
      }
    }
    throw new Error(`${url} never showed ${selector}: ${String(last)}\nBrowser errors:\n${consoleErrors.slice(-10).join("\n")}\nServer:\n${output.slice(-3000)}`)
  }

  it("logs in, saves a key, tests the connection, and follows a paid checkout to the delivery log and the order widget", async () => {
    // Log in as the dashboard's user does.
    await openUntilVisible(`${base}/app/login`, 'input[name="email"]')
    await page.locator('input[name="email"]').fill(ADMIN.email)
    await page.locator('input[name="password"]').fill(ADMIN.password)
    await page.locator('button[type="submit"]').click()
    await page.waitForURL((url) => !url.pathname.includes("/login"))

    // Settings → Payment gateways.
    await openUntilVisible(`${base}/app/settings/payment-gateways`, '[data-testid="pg-secpaid"]')
    expect(await page.getByTestId("pg-secpaid-webhook-url").textContent()).toBe(`${base}/hooks/secpaid/secpaid`)
    expect(await page.getByTestId("pg-payin-webhook-url").textContent()).toBe(`${base}/hooks/payin`)
    expect(await page.getByTestId("pg-secpaid-apiKey-source").textContent()).toBe("medusa-config")

    // Save the SecPaid key in the admin: it is shown only as a mask afterwards.
    await page.getByTestId("pg-secpaid-apiKey").fill(SANDBOX_SECPAID_DEV_KEY)
    await page.getByTestId("pg-secpaid-save").click()
    await page.getByTestId("pg-secpaid-apiKey-source").filter({ hasText: "admin" }).waitFor()
    expect(await page.getByTestId("pg-secpaid-apiKey").getAttribute("placeholder")).toContain(`••••${SANDBOX_SECPAID_DEV_KEY.slice(-4)}`)
    expect(await page.getByTestId("pg-secpaid-apiKey").inputValue()).toBe("")
    expect(await page.content()).not.toContain(SANDBOX_SECPAID_DEV_KEY)
    await saveScreenshot(page, "admin-settings-saved")

    // Test connection with the saved key: OK.
    await page.getByTestId("pg-secpaid-test").click()
    const result = page.getByTestId("pg-secpaid-test-result")
    await result.and(page.locator('[data-ok="true"]')).waitFor()
    expect(await result.textContent()).toMatch(/SecPaid accepted the API key/)

    // A wrong key typed into the form (not saved): SecPaid's own message.
    await page.getByTestId("pg-secpaid-apiKey").fill("sp_dev_wrong_key_e2e0")
    await page.getByTestId("pg-secpaid-test").click()
    await result.and(page.locator('[data-ok="false"]')).waitFor()
    expect(await result.textContent()).toMatch(/Incorrect token or missing token/)
    await saveScreenshot(page, "admin-settings-test-connection-wrong-key")

    // A shopper pays a PayIn checkout; PayIn's signed webhook reaches /hooks/payin.
    const cart = await createCartReadyForPayment(store, fixture, { currency: "usd" })
    const { session } = await startPaymentSession(store, fixture, cart.id, "pp_payin_payin")
    const payinOrderId: string = session.data.payin_order_id
    const { deliveries } = await sandbox.payinTransfer(payinOrderId, { amount: "32.25" })
    expect(deliveries.map((d) => d.status)).toContain(200)

    const login = await store.post("/auth/user/emailpass", ADMIN)
    const adminApi = { headers: { authorization: `Bearer ${login.data.token}` } }
    const orderId = await waitFor(
      async () => {
        const { data } = await store.get("/admin/orders?fields=id,payment_status&limit=5", adminApi)
        return data.orders.find((o: { payment_status: string }) => o.payment_status === "captured")?.id as string | undefined
      },
      { timeoutMs: 60_000, intervalMs: 500, what: "the PayIn order" }
    )

    // The delivery and the processed event in the page's webhook health.
    await page.reload()
    const health = page.getByTestId("pg-payin-health")
    await health.waitFor()
    await page.getByTestId("pg-payin-deliveries").getByText("accepted").first().waitFor()
    await page.getByTestId("pg-payin-events").getByText("processed").first().waitFor()
    await health.scrollIntoViewIfNeeded()
    await saveScreenshot(page, "admin-settings-webhook-health")

    // The widget on the order page.
    await page.goto(`${base}/app/orders/${orderId}`)
    const widget = page.getByTestId("order-gateway-payment")
    await widget.waitFor()
    expect(await widget.textContent()).toContain(payinOrderId)
    expect(await page.getByTestId("order-gateway-payment-state").textContent()).toBe("captured")
    await page.getByTestId("order-gateway-payment-reverify").click()
    await page.getByTestId("order-gateway-payment-check").filter({ hasText: "PayIn says the payment is captured" }).waitFor()
    await widget.scrollIntoViewIfNeeded()
    await saveScreenshot(page, "admin-order-widget")

    expect(output).not.toContain(SANDBOX_SECPAID_DEV_KEY)
    expect(output).not.toContain(SANDBOX_PAYIN_WEBHOOK_SECRET)
  })
})
