import { medusaSuite } from "../helpers/medusa-runner"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import type { AxiosInstance, AxiosRequestConfig } from "axios"
import { SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET, SANDBOX_SECPAID_DEV_KEY } from "../../sandbox/credentials"
import { SandboxControl } from "../../sandbox/control-client"
import { defaultSecPaidPaymentEndpoint } from "../../src/providers/secpaid/options"
import { forgetGatewayRegistrations } from "../../src/modules/payment-gateways/gateway-registry"
import { resolveGatewayProvider } from "../../src/modules/payment-gateways/gateway-providers"
import { adminHeaders } from "../helpers/store-fixture"

jest.setTimeout(120_000)

/**
 * Settings → Payment gateways, over the admin API: auth, validation, encryption at
 * rest, masking and the connection test against the sandbox.
 */
const NEW_SECPAID_KEY = "sp_dev_rotated_key_9f3a"
const SECPAID_ENCRYPTION_KEY = "0123456789abcdefghijklmnopqrstuv"
const SECRETS = [NEW_SECPAID_KEY, SECPAID_ENCRYPTION_KEY, SANDBOX_SECPAID_DEV_KEY, SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET]

const noThrow: AxiosRequestConfig = { validateStatus: () => true }
const withHeaders = (h: AxiosRequestConfig): AxiosRequestConfig => ({ ...h, ...noThrow })

function expectNoSecrets(body: unknown) {
  const text = JSON.stringify(body)
  for (const secret of SECRETS) expect(text).not.toContain(secret)
}

const setting = (gateway: any, name: string) => gateway.settings.find((s: any) => s.name === name)

async function customerToken(api: AxiosInstance): Promise<string> {
  const email = `shopper-${Date.now()}@example.com`
  const { data } = await api.post("/auth/customer/emailpass/register", { email, password: "shopper-password" })
  return data.token
}

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let admin: AxiosRequestConfig

    beforeEach(async () => {
      admin = await adminHeaders(api, getContainer())
    })

    it("answers 401 without an admin session and with a customer token, on every settings route", async () => {
      const customer = { headers: { authorization: `Bearer ${await customerToken(api)}` } }
      const calls: Array<[string, string]> = [
        ["get", "/admin/payment-gateways/settings"],
        ["get", "/admin/payment-gateways/settings/secpaid"],
        ["post", "/admin/payment-gateways/settings/secpaid"],
        ["post", "/admin/payment-gateways/test-connection/payin"],
        ["get", "/admin/payment-gateways/orders/order_123"],
        ["post", "/admin/payment-gateways/orders/order_123/reverify"],
      ]
      for (const [method, url] of calls) {
        for (const config of [noThrow, withHeaders(customer)]) {
          const res = method === "get" ? await api.get(url, config) : await api.post(url, { apiKey: NEW_SECPAID_KEY }, config)
          expect([url, res.status]).toEqual([url, 401])
        }
      }
    })

    it("lists both gateways with sources, masked secrets and the webhook URLs to register", async () => {
      const { data } = await api.get("/admin/payment-gateways/settings", admin)
      expectNoSecrets(data)
      expect(data.encryption).toMatchObject({ available: true, source: "development" })
      const [secpaid, payin] = data.gateways
      expect(data.gateways).toHaveLength(2)
      expect(secpaid).toMatchObject({ id: "secpaid", gateway: "secpaid", provider_id: "pp_secpaid_secpaid", registration_id: "secpaid", label: "SecPaid" })
      expect(payin).toMatchObject({ gateway: "payin", provider_id: "pp_payin_payin", registration_id: "payin", label: "PayIn" })
      expect(setting(secpaid, "apiKey")).toMatchObject({ kind: "secret", source: "medusa-config", value: `••••${SANDBOX_SECPAID_DEV_KEY.slice(-4)}`, saved: false })
      expect(setting(secpaid, "environment")).toMatchObject({ source: "medusa-config", value: "development" })
      expect(setting(secpaid, "bankTransfer")).toMatchObject({ source: "default", value: false })
      expect(secpaid.webhook.url).toBe(`${process.env.MEDUSA_BACKEND_URL}/hooks/secpaid/secpaid`)
      expect(payin.id).toBe("payin")
      expect(setting(payin, "webhookSecret")).toMatchObject({ source: "medusa-config", value: `••••${SANDBOX_PAYIN_WEBHOOK_SECRET.slice(-4)}` })
      expect(payin.webhook.url).toBe(`${process.env.MEDUSA_BACKEND_URL}/hooks/payin`)
      // Options nobody set show what the provider itself uses (PayIn's default pair depends on the environment).
      expect(setting(payin, "defaultToken")).toMatchObject({ source: "default", value: "USDC" })
      expect(setting(payin, "defaultChainId")).toMatchObject({ source: "default", value: "ethereum-sepolia" })

      const unknown = await api.get("/admin/payment-gateways/settings/stripe", withHeaders(admin))
      expect(unknown.status).toBe(404)
      expect(unknown.data.message).toMatch(/There is no payment gateway "stripe"/)
    })

    it("stores secrets as AES-GCM ciphertext, masks them in every answer, and null returns to medusa-config", async () => {
      const saved = await api.post(
        "/admin/payment-gateways/settings/secpaid",
        { apiKey: NEW_SECPAID_KEY, encryptionKey: SECPAID_ENCRYPTION_KEY, cancellable: false, paymentEndpoint: "0,https://shop.example.com/hooks/secpaid" },
        admin
      )
      expect(saved.status).toBe(200)
      expectNoSecrets(saved.data)
      expect(setting(saved.data.gateway, "apiKey")).toMatchObject({ source: "admin", saved: true, value: "••••9f3a" })
      expect(setting(saved.data.gateway, "encryptionKey")).toMatchObject({ source: "admin", value: "••••stuv" })
      expect(setting(saved.data.gateway, "cancellable")).toMatchObject({ source: "admin", value: false })
      expect(setting(saved.data.gateway, "paymentEndpoint").value).toEqual(["0", "https://shop.example.com/hooks/secpaid"])
      expect(saved.data.gateway.webhook.url).toBe("https://shop.example.com/hooks/secpaid")

      const pg = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      const { rows } = await pg.raw(`SELECT provider_id, "values", "secrets", updated_by FROM payment_gateway_setting WHERE gateway = 'secpaid'`)
      expect(rows).toHaveLength(1)
      const { provider_id, ...row } = rows[0]
      expect(provider_id).toBe("pp_secpaid_secpaid")
      expect(JSON.stringify(row)).not.toContain(NEW_SECPAID_KEY)
      expect(JSON.stringify(row)).not.toContain(SECPAID_ENCRYPTION_KEY)
      expect(row.secrets.apiKey).toMatch(/^pgsb1\.[0-9a-f]{8}\.[\w-]+\.[\w-]+\.[\w-]+$/)
      expect(row.secrets.encryptionKey).toMatch(/^pgsb1\./)
      expect(row.values).toEqual({ cancellable: false, paymentEndpoint: ["0", "https://shop.example.com/hooks/secpaid"] })
      expect(row.updated_by).toMatch(/^user_/)

      for (const res of [await api.get("/admin/payment-gateways/settings", admin), await api.get("/admin/payment-gateways/settings/secpaid", admin)]) {
        expectNoSecrets(res.data)
        expect(JSON.stringify(res.data)).toContain("••••9f3a")
      }

      const cleared = await api.post("/admin/payment-gateways/settings/secpaid", { apiKey: null, encryptionKey: null, cancellable: null, paymentEndpoint: null }, admin)
      expect(setting(cleared.data.gateway, "apiKey")).toMatchObject({ source: "medusa-config", saved: false })
      expect(setting(cleared.data.gateway, "encryptionKey")).toMatchObject({ source: "default", value: null })
      expect(setting(cleared.data.gateway, "cancellable")).toMatchObject({ source: "default", value: true })
      const after = await pg.raw(`SELECT "values", "secrets" FROM payment_gateway_setting WHERE gateway = 'secpaid'`)
      expect(after.rows[0]).toEqual({ values: {}, secrets: {} })
    })

    it("refuses invalid fields with one message per field", async () => {
      const secpaid = await api.post(
        "/admin/payment-gateways/settings/secpaid",
        { environment: "staging", apiKey: "", encryptionKey: "short", paymentEndpoint: ["ftp://x"], colour: "blue" },
        withHeaders(admin)
      )
      expect(secpaid.status).toBe(400)
      expect(secpaid.data.errors).toEqual({
        environment: expect.stringMatching(/`environment` must be "development" or "production"/),
        apiKey: expect.stringMatching(/`apiKey` must not be empty/),
        encryptionKey: expect.stringMatching(/exactly 32 characters/),
        paymentEndpoint: expect.stringMatching(/full http\(s\) URL or a profile index/),
        colour: expect.stringMatching(/`colour` is not a SecPaid setting/),
      })
      expect(secpaid.data.message).toMatch(/^The SecPaid settings were not saved:/)

      const payin = await api.post(
        "/admin/payment-gateways/settings/payin",
        { apiKey: "sk_wrong", allowedTokens: ["DAI"], storefrontReturnUrl: "not a url", defaultChainId: "tron-mainnet" },
        withHeaders(admin)
      )
      expect(payin.status).toBe(400)
      expect(Object.keys(payin.data.errors).sort()).toEqual(["allowedTokens", "apiKey", "storefrontReturnUrl"])
      expect(payin.data.errors.apiKey).toMatch(/starting with "pk_"/)
      expectNoSecrets(payin.data)

      // Each field is fine alone, but the provider could not start with it: the provider's own parser says why.
      const chain = await api.post("/admin/payment-gateways/settings/payin", { defaultChainId: "tron-mainnet" }, withHeaders(admin))
      expect(chain.status).toBe(400)
      expect(chain.data.errors.defaultChainId).toMatch(/not a PayIn testnet chain/)

      const { rows } = await getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION).raw(`SELECT count(*)::int AS n FROM payment_gateway_setting`)
      expect(rows[0].n).toBe(0)
    })

    it("in a production environment refuses http://, private and loopback endpoint URLs", async () => {
      const res = await api.post(
        "/admin/payment-gateways/settings/secpaid",
        {
          environment: "production",
          paymentEndpoint: ["http://shop.example.com/hooks/secpaid"],
          storefrontReturnUrl: "https://10.1.2.3/checkout/return",
          allowedStorefrontOrigins: ["https://localhost:8000"],
        },
        withHeaders(admin)
      )
      expect(res.status).toBe(400)
      expect(res.data.errors.paymentEndpoint).toMatch(/must use https:\/\/ in production/)
      expect(res.data.errors.storefrontReturnUrl).toMatch(/public host, not a private or loopback address/)
      expect(res.data.errors.allowedStorefrontOrigins).toMatch(/public host, not a private or loopback address/)
    })

    it("with NODE_ENV=production and no encryption key, refuses to store a secret and says why", async () => {
      const env = process.env.NODE_ENV
      const key = process.env.PAYMENT_GATEWAYS_ENCRYPTION_KEY
      process.env.NODE_ENV = "production"
      delete process.env.PAYMENT_GATEWAYS_ENCRYPTION_KEY
      try {
        const res = await api.post("/admin/payment-gateways/settings/payin", { webhookSecret: "whsec_new_secret_value" }, withHeaders(admin))
        expect(res.status).toBe(400)
        expect(res.data.errors.webhookSecret).toMatch(/PAYMENT_GATEWAYS_ENCRYPTION_KEY is not set/)
        expect(JSON.stringify(res.data)).not.toContain("whsec_new_secret_value")
        const listed = await api.get("/admin/payment-gateways/settings", admin)
        expect(listed.data.encryption).toMatchObject({ available: false })
        // Non-secret settings can still be saved.
        const plain = await api.post("/admin/payment-gateways/settings/payin", { defaultToken: "USDT", defaultChainId: "tron-nile" }, withHeaders(admin))
        expect(plain.status).toBe(200)
      } finally {
        process.env.NODE_ENV = env
        if (key !== undefined) process.env.PAYMENT_GATEWAYS_ENCRYPTION_KEY = key
      }
      await api.post("/admin/payment-gateways/settings/payin", { defaultToken: null, defaultChainId: null }, admin)
    })

    it("tests the connection: OK with the sandbox keys, the gateway's own message with a wrong key (nothing saved)", async () => {
      const okSecPaid = await api.post("/admin/payment-gateways/test-connection/secpaid", {}, admin)
      expect(okSecPaid.data).toMatchObject({ gateway: "secpaid", ok: true, environment: "development" })
      expect(okSecPaid.data.message).toMatch(/SecPaid accepted the API key/)

      const badSecPaid = await api.post("/admin/payment-gateways/test-connection/secpaid", { apiKey: "sp_dev_wrong_key_0000" }, admin)
      expect(badSecPaid.data.ok).toBe(false)
      expect(badSecPaid.data.message).toMatch(/Incorrect token or missing token/)
      expect(badSecPaid.data.message).not.toContain("sp_dev_wrong_key_0000")

      const okPayIn = await api.post("/admin/payment-gateways/test-connection/payin", {}, admin)
      expect(okPayIn.data).toMatchObject({ gateway: "payin", ok: true, environment: "testnet" })
      const sandbox = new SandboxControl(process.env.SANDBOX_URL!)
      const listed = await sandbox.requests({ gateway: "payin", endpoint: "GET /orders" })
      expect(listed[listed.length - 1].query).toMatchObject({ limit: "1" })
      const unused = await sandbox.requests({ gateway: "secpaid", endpoint: "getMyUnusedLinks" })
      expect(unused.length).toBeGreaterThan(0)

      const badPayIn = await api.post("/admin/payment-gateways/test-connection/payin", { apiKey: "pk_test_wrong_key_0000" }, admin)
      expect(badPayIn.data.ok).toBe(false)
      expect(badPayIn.data.message).toMatch(/PayIn rejected the API key/)
      expect(badPayIn.data.message).not.toContain("pk_test_wrong_key_0000")
      expectNoSecrets([okSecPaid.data, badSecPaid.data, okPayIn.data, badPayIn.data])

      const { rows } = await getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION).raw(`SELECT count(*)::int AS n FROM payment_gateway_setting`)
      expect(rows[0].n).toBe(0)
    })

    it("keeps settings per provider registration when a gateway is registered twice, and names one by its provider id", async () => {
      const pg = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      // A second SecPaid registration, as medusa-config declares it and the payment module lists it.
      const configModule = getContainer().resolve(ContainerRegistrationKeys.CONFIG_MODULE) as { modules?: Record<string, any> | any[] }
      const declarations = Array.isArray(configModule.modules) ? configModule.modules : Object.values(configModule.modules ?? {})
      const providers: any[] = declarations.find((m: any) => Array.isArray(m?.options?.providers))!.options.providers
      const euEntry = { resolve: "./src/providers/secpaid", id: "eu", options: { apiKey: "sp_dev_eu_config_k7x2", backendUrl: "https://eu.shop.example.com" } }
      providers.push(euEntry)
      await pg.raw(`INSERT INTO payment_provider (id, is_enabled) VALUES ('pp_secpaid_eu', true)`)
      forgetGatewayRegistrations()
      try {
        const { data } = await api.get("/admin/payment-gateways/settings", admin)
        expect(data.gateways.map((g: any) => [g.provider_id, g.registration_id, g.label])).toEqual([
          ["pp_secpaid_eu", "eu", "SecPaid — eu"],
          ["pp_secpaid_secpaid", "secpaid", "SecPaid — secpaid"],
          ["pp_payin_payin", "payin", "PayIn"],
        ])
        // Each registration's own medusa-config options.
        expect(setting(data.gateways[0], "apiKey")).toMatchObject({ source: "medusa-config", value: "••••k7x2" })
        expect(setting(data.gateways[1], "apiKey")).toMatchObject({ source: "medusa-config", value: `••••${SANDBOX_SECPAID_DEV_KEY.slice(-4)}` })
        expect(data.gateways[0].webhook.url).toBe("https://eu.shop.example.com/hooks/secpaid/eu")

        // The bare gateway no longer says which registration is meant.
        for (const url of ["/admin/payment-gateways/settings/secpaid", "/admin/payment-gateways/test-connection/secpaid"]) {
          const ambiguous = await api.post(url, { cancellable: false }, withHeaders(admin))
          expect([url, ambiguous.status]).toEqual([url, 400])
          expect(ambiguous.data.message).toMatch(/^SecPaid is registered 2 times in this store \(pp_secpaid_eu, pp_secpaid_secpaid\); name one by its provider id/)
        }
        const unknown = await api.post("/admin/payment-gateways/settings/pp_secpaid_nope", {}, withHeaders(admin))
        expect(unknown.status).toBe(404)
        expect(unknown.data.message).toMatch(/This store has no payment provider "pp_secpaid_nope"/)

        const eu = await api.post("/admin/payment-gateways/settings/pp_secpaid_eu", { apiKey: NEW_SECPAID_KEY, cancellable: false }, withHeaders(admin))
        expect(eu.status).toBe(200)
        expectNoSecrets(eu.data)
        expect(eu.data.gateway).toMatchObject({ provider_id: "pp_secpaid_eu", label: "SecPaid — eu" })
        expect(setting(eu.data.gateway, "apiKey")).toMatchObject({ source: "admin", value: "••••9f3a" })

        // The other registration keeps its own key (medusa-config's), and its provider instance uses it.
        const own = await api.get("/admin/payment-gateways/settings/pp_secpaid_secpaid", admin)
        expect(setting(own.data.gateway, "apiKey")).toMatchObject({ source: "medusa-config", value: `••••${SANDBOX_SECPAID_DEV_KEY.slice(-4)}` })
        expect(setting(own.data.gateway, "cancellable")).toMatchObject({ source: "default", value: true })
        expect((await resolveGatewayProvider(getContainer(), "secpaid", "pp_secpaid_secpaid")!.gatewayRuntime()).options.apiKey).toBe(SANDBOX_SECPAID_DEV_KEY)

        const { rows } = await pg.raw(`SELECT provider_id, "values" FROM payment_gateway_setting WHERE gateway = 'secpaid' ORDER BY provider_id`)
        expect(rows).toEqual([{ provider_id: "pp_secpaid_eu", values: { cancellable: false } }])
      } finally {
        await pg.raw(`DELETE FROM payment_gateway_setting WHERE provider_id = 'pp_secpaid_eu'`)
        await pg.raw(`DELETE FROM payment_provider WHERE id = 'pp_secpaid_eu'`)
        providers.splice(providers.indexOf(euEntry), 1)
        forgetGatewayRegistrations()
      }
    })

    it("a gateway's only registration uses settings saved per gateway, and its first save takes that row over", async () => {
      const pg = getContainer().resolve(ContainerRegistrationKeys.PG_CONNECTION)
      // As an earlier version saved it (no provider id), left so by a migration that could not tell whose it was.
      await pg.raw(`INSERT INTO payment_gateway_setting (id, gateway, "values") VALUES ('pgst_legacy_payin', 'payin', '{"defaultToken": "USDT", "defaultChainId": "tron-nile"}'::jsonb)`)
      try {
        const listed = await api.get("/admin/payment-gateways/settings/payin", admin)
        expect(setting(listed.data.gateway, "defaultToken")).toMatchObject({ source: "admin", value: "USDT", saved: true })
        const provider = resolveGatewayProvider(getContainer(), "payin", "pp_payin_payin")!
        expect(provider.registration()?.providerId).toBe("pp_payin_payin")

        const saved = await api.post("/admin/payment-gateways/settings/pp_payin_payin", { storefrontReturnUrl: "https://shop.example.com/checkout/return" }, admin)
        expect(saved.data.gateway.provider_id).toBe("pp_payin_payin")
        expect(setting(saved.data.gateway, "defaultToken")).toMatchObject({ source: "admin", value: "USDT" })
        const { rows } = await pg.raw(`SELECT id, provider_id, "values" FROM payment_gateway_setting WHERE gateway = 'payin' AND deleted_at IS NULL`)
        expect(rows).toEqual([
          { id: "pgst_legacy_payin", provider_id: "pp_payin_payin", values: { defaultToken: "USDT", defaultChainId: "tron-nile", storefrontReturnUrl: "https://shop.example.com/checkout/return" } },
        ])
        // The provider Medusa calls uses the registration's row (the saving instance from its next call on).
        expect((await provider.gatewayRuntime()).options).toMatchObject({ defaultToken: "USDT", defaultChainId: "tron-nile", storefrontReturnUrl: "https://shop.example.com/checkout/return" })
      } finally {
        await pg.raw(`DELETE FROM payment_gateway_setting WHERE gateway = 'payin'`)
      }
    })
  },
})
