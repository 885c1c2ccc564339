import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { AxiosInstance, AxiosRequestConfig } from "axios"
import { seedDemoStore, type DemoStore } from "../../dev/demo-store"

export type StoreFixture = DemoStore

/** Seeds the demo store (regions, product, shipping, publishable key) into the suite's database. */
export async function seedStore(container: MedusaContainer): Promise<StoreFixture> {
  return seedDemoStore(container)
}

export function storeHeaders(fixture: StoreFixture): AxiosRequestConfig {
  return { headers: { "x-publishable-api-key": fixture.publishableKey } }
}

export const TEST_ADMIN = { email: "admin@test.local", password: "test-admin-password" }

/**
 * Creates (once per database) an admin user with an email/password identity and
 * logs in over HTTP, exactly as the dashboard does; returns headers with the token.
 */
export async function adminHeaders(api: AxiosInstance, container: MedusaContainer): Promise<AxiosRequestConfig> {
  const userModule = container.resolve(Modules.USER)
  const authModule = container.resolve(Modules.AUTH)
  let [user] = await userModule.listUsers({ email: TEST_ADMIN.email })
  if (!user) {
    user = await userModule.createUsers({ email: TEST_ADMIN.email, first_name: "Test", last_name: "Admin" })
    const { authIdentity, error } = await authModule.register("emailpass", {
      body: { email: TEST_ADMIN.email, password: TEST_ADMIN.password },
    } as any)
    if (error || !authIdentity) throw new Error(`Could not register the test admin: ${error}`)
    await authModule.updateAuthIdentities({ id: authIdentity.id, app_metadata: { user_id: user.id } })
  }
  const { data } = await api.post("/auth/user/emailpass", TEST_ADMIN)
  return { headers: { authorization: `Bearer ${data.token}` } }
}
