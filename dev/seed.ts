import type { ExecArgs } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import fs from "node:fs"
import path from "node:path"
import { seedDemoStore } from "./demo-store"

/**
 * `medusa exec ./dev/seed.ts`: the demo store plus an admin login, idempotently.
 * Writes what `npm run dev` prints (publishable key, admin login) to
 * .data/dev-store.json.
 */
export const DEV_ADMIN = {
  email: process.env.DEV_ADMIN_EMAIL || "admin@example.com",
  password: process.env.DEV_ADMIN_PASSWORD || "supersecret",
}

export default async function seed({ container }: ExecArgs) {
  const store = await seedDemoStore(container)

  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  let [user] = await userModule.listUsers({ email: DEV_ADMIN.email })
  if (!user) {
    user = await userModule.createUsers({ email: DEV_ADMIN.email, first_name: "Demo", last_name: "Admin" })
    const { authIdentity, error } = await authModule.register("emailpass", {
      body: { email: DEV_ADMIN.email, password: DEV_ADMIN.password },
    } as any)
    if (error || !authIdentity) throw new Error(`Could not create the demo admin login: ${error}`)
    await authModule.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: user.id } })
  }

  const out = path.join(process.cwd(), ".data", "dev-store.json")
  fs.mkdirSync(path.dirname(out), { recursive: true })
  fs.writeFileSync(out, JSON.stringify({ ...store, admin: DEV_ADMIN }, null, 2))
}
