import { execFile, spawn, type ChildProcess } from "node:child_process"
import fs from "node:fs"
import os from "node:os"
import path from "node:path"
import { promisify } from "node:util"
import { Client } from "pg"
import {
  SANDBOX_PAYIN_API_KEY,
  SANDBOX_PAYIN_WEBHOOK_SECRET,
  SANDBOX_SECPAID_DEV_KEY,
} from "../../sandbox/credentials"
import { freePort } from "../multi-instance/medusa-process"

/**
 * Proves a shop can install the published package: build, `npm pack`, install the
 * tarball into a throwaway store whose medusa-config.ts is the README's snippet
 * verbatim (stock Medusa plus this plugin), migrate, boot, and find both providers
 * in the admin API.
 */
jest.setTimeout(15 * 60 * 1000)

const exec = promisify(execFile)
const root = path.resolve(__dirname, "../..")
const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"))

function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(root, "README.md"), "utf8")
  const m = /<!-- install-snippet:start -->\s*```ts\n([\s\S]*?)```\s*<!-- install-snippet:end -->/.exec(readme)
  if (!m) throw new Error("README.md has no install snippet between the install-snippet markers")
  return m[1]
}


describe("the packed plugin installs into a stock Medusa store", () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "pack-install-"))
  const storeDir = path.join(work, "store")
  const dbName = `pack_install_${process.pid}`
  const db = {
    host: process.env.DB_HOST || "localhost",
    port: Number(process.env.DB_PORT || 5432),
    user: process.env.DB_USERNAME || "postgres",
    password: process.env.DB_PASSWORD || "",
  }
  let medusa: ChildProcess | undefined
  let output = ""

  afterAll(async () => {
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

  it("lists pp_secpaid_secpaid and pp_payin_payin in GET /admin/payments/payment-providers", async () => {
    await exec("npx", ["medusa", "plugin:build"], { cwd: root, maxBuffer: 64 * 1024 * 1024 })
    const { stdout: packOut } = await exec("npm", ["pack", "--json", "--pack-destination", work], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    })
    const tarball = path.join(work, JSON.parse(packOut)[0].filename)
    const files: string[] = JSON.parse(packOut)[0].files.map((f: { path: string }) => f.path)
    expect(files).toContain(".medusa/server/src/providers/secpaid/index.js")
    expect(files).toContain(".medusa/server/src/providers/payin/index.js")
    expect(files.some((f) => f.startsWith("sandbox/") || f.includes("/sandbox/"))).toBe(false)

    fs.mkdirSync(storeDir, { recursive: true })
    const medusaDeps = Object.fromEntries(
      ["@medusajs/medusa", "@medusajs/framework", "@medusajs/cli"].map((n) => [n, pkg.devDependencies[n]])
    )
    fs.writeFileSync(
      path.join(storeDir, "package.json"),
      JSON.stringify(
        {
          name: "throwaway-store",
          private: true,
          dependencies: { ...medusaDeps, [pkg.name]: `file:${tarball}` },
          devDependencies: {
            "@swc/core": pkg.devDependencies["@swc/core"],
            "ts-node": pkg.devDependencies["ts-node"],
            typescript: pkg.devDependencies.typescript,
          },
        },
        null,
        2
      )
    )
    fs.writeFileSync(path.join(storeDir, "medusa-config.ts"), readmeSnippet())
    fs.copyFileSync(path.join(root, "tsconfig.json"), path.join(storeDir, "tsconfig.json"))
    await exec("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
      cwd: storeDir,
      maxBuffer: 64 * 1024 * 1024,
    })

    const client = new Client({ ...db, database: "postgres" })
    await client.connect()
    await client.query(`DROP DATABASE IF EXISTS "${dbName}"`)
    await client.query(`CREATE DATABASE "${dbName}"`)
    await client.end()

    const sandboxUrl = process.env.SANDBOX_URL!
    const port = await freePort()
    const env = {
      ...process.env,
      NODE_ENV: "development",
      DATABASE_URL: `postgres://${db.user}:${db.password}@${db.host}:${db.port}/${dbName}`,
      PORT: String(port),
      MEDUSA_BACKEND_URL: `http://localhost:${port}`,
      SECPAID_API_KEY: SANDBOX_SECPAID_DEV_KEY,
      SECPAID_BASE_URL: `${sandboxUrl}/secpaid/api/v2/`,
      PAYIN_API_KEY: SANDBOX_PAYIN_API_KEY,
      PAYIN_WEBHOOK_SECRET: SANDBOX_PAYIN_WEBHOOK_SECRET,
      PAYIN_BASE_URL: `${sandboxUrl}/payin/api/v1`,
      STOREFRONT_RETURN_URL: "http://localhost:8000/checkout/return",
    }
    const medusaBin = path.join(storeDir, "node_modules", ".bin", "medusa")
    await exec(medusaBin, ["db:migrate"], { cwd: storeDir, env, maxBuffer: 64 * 1024 * 1024 })
    await exec(medusaBin, ["user", "-e", "owner@shop.test", "-p", "owner-password"], { cwd: storeDir, env })

    medusa = spawn(medusaBin, ["develop"], { cwd: storeDir, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
    medusa.stdout!.on("data", (d) => (output += d))
    medusa.stderr!.on("data", (d) => (output += d))
    const base = `http://localhost:${port}`
    const deadline = Date.now() + 180_000
    for (;;) {
      if (medusa.exitCode !== null) throw new Error(`medusa develop exited (${medusa.exitCode}):\n${output.slice(-4000)}`)
      const ok = await fetch(`${base}/health`).then((r) => r.ok, () => false)
      if (ok) break
      if (Date.now() > deadline) throw new Error(`medusa develop did not become healthy:\n${output.slice(-4000)}`)
      await new Promise((r) => setTimeout(r, 500))
    }

    const login = await fetch(`${base}/auth/user/emailpass`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ email: "owner@shop.test", password: "owner-password" }),
    })
    expect(login.status).toBe(200)
    const { token } = (await login.json()) as { token: string }
    const res = await fetch(`${base}/admin/payments/payment-providers?limit=50`, {
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.status).toBe(200)
    const body = (await res.json()) as { payment_providers: { id: string; is_enabled: boolean }[] }
    const ids = body.payment_providers.map((p) => p.id)
    expect(ids).toEqual(expect.arrayContaining(["pp_secpaid_secpaid", "pp_payin_payin"]))
    expect(output).not.toContain(SANDBOX_SECPAID_DEV_KEY)
    expect(output).not.toContain(SANDBOX_PAYIN_API_KEY)
  })
})
