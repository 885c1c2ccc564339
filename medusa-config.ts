import { defineConfig, loadEnv, Modules } from "@medusajs/framework/utils"

/**
 * The development store of this repository. It loads the plugin's own `src/`
 * (providers, module, routes, subscribers, jobs, admin) exactly as a shop that
 * installs the package would, with options taken from the environment.
 * `npm run dev` and `npm test` fill the environment in; see README.md.
 */
loadEnv(process.env.NODE_ENV || "development", process.cwd())

const env = process.env
const backendUrl = env.MEDUSA_BACKEND_URL || `http://localhost:${env.PORT || 9000}`
const sandboxUrl = env.SANDBOX_URL?.replace(/\/$/, "")
const redisUrl = env.REDIS_URL || undefined
/** Only `npm run bench` sets this: a throw-away local plugin holding the ingest floor route (bench/ingest-floor/). */
const benchPluginDir = env.MEDUSA_BENCH_PLUGIN_DIR || undefined

const secpaidOptions = {
  apiKey: env.SECPAID_API_KEY,
  environment: env.SECPAID_ENVIRONMENT || "development",
  baseUrl: env.SECPAID_BASE_URL || (sandboxUrl ? `${sandboxUrl}/secpaid/api/v2/` : undefined),
  backendUrl,
  paymentEndpoint: env.SECPAID_PAYMENT_ENDPOINT || undefined,
  callbackUrl: env.SECPAID_CALLBACK_URL || undefined,
  encryptionKey: env.SECPAID_ENCRYPTION_KEY || undefined,
  requestTimeoutMs: env.SECPAID_REQUEST_TIMEOUT_MS ? Number(env.SECPAID_REQUEST_TIMEOUT_MS) : undefined,
  storefrontReturnUrl: env.STOREFRONT_RETURN_URL || undefined,
  allowedStorefrontOrigins: env.STOREFRONT_ORIGINS ? env.STOREFRONT_ORIGINS.split(",") : undefined,
}

const payinOptions = {
  apiKey: env.PAYIN_API_KEY,
  environment: env.PAYIN_ENVIRONMENT || "testnet",
  baseUrl: env.PAYIN_BASE_URL || (sandboxUrl ? `${sandboxUrl}/payin/api/v1` : undefined),
  webhookSecret: env.PAYIN_WEBHOOK_SECRET,
  backendUrl,
  storefrontReturnUrl: env.STOREFRONT_RETURN_URL || undefined,
  allowedStorefrontOrigins: env.STOREFRONT_ORIGINS ? env.STOREFRONT_ORIGINS.split(",") : undefined,
  placeOrderBeforeConfirmation: env.PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION === "true",
  requestTimeoutMs: env.PAYIN_REQUEST_TIMEOUT_MS ? Number(env.PAYIN_REQUEST_TIMEOUT_MS) : undefined,
}

/**
 * Which registrations of the gateways this store makes. By default SecPaid as `id: "secpaid"`
 * and PayIn as `id: "payin"` (providers `pp_secpaid_secpaid`, `pp_payin_payin`).
 * `PAYMENT_GATEWAYS_DEMO_REGISTRATIONS=several` shows a store with several accounts:
 * SecPaid twice, `eu` (SECPAID_API_KEY) and `marketplace` (SECPAID_MARKETPLACE_API_KEY, a
 * second account's key), and PayIn as `crypto`; each has its own webhook URL,
 * `/hooks/<gateway>/<id>`. Each entry gets an options object of its own: a provider
 * recognises its registration by that object.
 */
const paymentProviders =
  env.PAYMENT_GATEWAYS_DEMO_REGISTRATIONS === "several"
    ? [
        { resolve: "./src/providers/secpaid", id: "eu", options: { ...secpaidOptions } },
        { resolve: "./src/providers/secpaid", id: "marketplace", options: { ...secpaidOptions, apiKey: env.SECPAID_MARKETPLACE_API_KEY } },
        { resolve: "./src/providers/payin", id: "crypto", options: { ...payinOptions } },
      ]
    : [
        { resolve: "./src/providers/secpaid", id: "secpaid", options: secpaidOptions },
        { resolve: "./src/providers/payin", id: "payin", options: payinOptions },
      ]

module.exports = defineConfig({
  projectConfig: {
    databaseUrl: env.DATABASE_URL,
    redisUrl,
    workerMode: (env.MEDUSA_WORKER_MODE as "shared" | "worker" | "server") || "shared",
    http: {
      storeCors: env.STORE_CORS || "http://localhost:8000,http://localhost:9000",
      adminCors: env.ADMIN_CORS || "http://localhost:9000,http://localhost:5173",
      authCors: env.AUTH_CORS || "http://localhost:8000,http://localhost:9000,http://localhost:5173",
      jwtSecret: env.JWT_SECRET || "supersecret",
      cookieSecret: env.COOKIE_SECRET || "supersecret",
    },
  },
  admin: {
    disable: env.MEDUSA_ADMIN_DISABLED === "true",
    backendUrl,
  },
  plugins: benchPluginDir ? [{ resolve: benchPluginDir, options: {} }] : [],
  modules: [
    { resolve: "./src/modules/payment-gateways" },
    {
      resolve: "@medusajs/medusa/payment",
      options: {
        providers: paymentProviders,
      },
    },
    ...(redisUrl
      ? [
          { resolve: "@medusajs/medusa/event-bus-redis", key: Modules.EVENT_BUS, options: { redisUrl } },
          { resolve: "@medusajs/medusa/workflow-engine-redis", key: Modules.WORKFLOW_ENGINE, options: { redis: { url: redisUrl } } },
          { resolve: "@medusajs/medusa/cache-redis", key: Modules.CACHE, options: { redisUrl } },
          {
            resolve: "@medusajs/medusa/locking",
            key: Modules.LOCKING,
            options: { providers: [{ resolve: "@medusajs/medusa/locking-redis", id: "locking-redis", is_default: true, options: { redisUrl } }] },
          },
        ]
      : []),
  ],
})
