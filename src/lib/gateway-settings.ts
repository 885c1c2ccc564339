import { createHash } from "node:crypto"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import { MedusaError } from "@medusajs/framework/utils"
import { openSecret, resolveSecretBoxKey, warnOnceIfDevelopmentKey } from "./secret-box"

/**
 * Gateway settings at run time: what the merchant saved in Settings → Payment
 * gateways, laid over the provider options from medusa-config.ts.
 *
 * Precedence, per option: admin value → medusa-config value → the provider's default.
 * The settings API (src/api/admin/payment-gateways/settings) writes the
 * `payment_gateway_setting` table; the providers read it through
 * `withAdminSettings` (below) before every gateway call.
 *
 * Why raw SQL through `__pg_connection__`: a payment provider lives in the payment
 * module's container, which cannot resolve the plugin's own module, but it does hold
 * the shared knex connection. The table is the plugin module's
 * (models/gateway-setting.ts); this file only reads it.
 *
 * Freshness: one cached read per gateway and process, at most 20 s old, and each
 * provider also refreshes in the background every 10 s (for code that uses its
 * accessors, `gatewayClient()`, `webhookSecret()`…, without a payment call, such as
 * the webhook routes): another instance picks
 * up a saved change within 30 s. The instance that saved calls
 * `invalidateGatewaySettings` and uses the change on its very next gateway call;
 * inbox processing and reconciliation call `refreshGatewaySettings` before they use
 * an accessor, so they follow the same rule.
 */

export const GATEWAY_IDS = ["secpaid", "payin"] as const
export type GatewayId = (typeof GATEWAY_IDS)[number]

export const GATEWAY_LABELS: Record<GatewayId, "SecPaid" | "PayIn"> = { secpaid: "SecPaid", payin: "PayIn" }

export const SETTINGS_TABLE = "payment_gateway_setting"
export const SETTINGS_MAX_AGE_MS = 20_000
/** Background refresh of a provider's options; with the cache age, a change reaches every instance within 30 s. */
export const SETTINGS_REFRESH_INTERVAL_MS = 10_000

export type SettingKind = "boolean" | "enum" | "secret" | "url" | "list" | "text"
export type SettingField = {
  kind: SettingKind
  label: string
  /** Allowed values of an `enum` field. */
  values?: readonly string[]
  /** What the provider uses when neither the admin nor medusa-config sets it. */
  default?: unknown
  help?: string
}
export type SettingSource = "admin" | "medusa-config" | "default"

/**
 * The options the admin page may set, by provider option name. Everything else
 * (backendUrl, baseUrl, timeouts, split payments) stays in medusa-config.ts.
 */
export const GATEWAY_SETTING_FIELDS = {
  secpaid: {
    enabled: { kind: "boolean", label: "Enabled", default: true, help: "When off, new SecPaid payments are refused; existing ones are still verified." },
    environment: { kind: "enum", label: "Environment", values: ["development", "production"], default: "development" },
    apiKey: { kind: "secret", label: "API key", help: "Sent in SecPaid's `token` header." },
    encryptionKey: { kind: "secret", label: "Encryption key", help: "32 characters; SecPaid then encrypts webhook bodies with it." },
    paymentEndpoint: {
      kind: "list",
      label: "Payment endpoint(s)",
      help: "Where SecPaid posts payment notifications: full URLs or indexes of the URLs saved in your SecPaid profile. Empty: this store's webhook URL.",
    },
    cancellable: { kind: "boolean", label: "Customers may cancel on the payment page", default: true },
    bankTransfer: { kind: "boolean", label: "Offer bank transfer", default: false },
    storefrontReturnUrl: { kind: "url", label: "Storefront return URL" },
    allowedStorefrontOrigins: { kind: "list", label: "Allowed storefront origins" },
  },
  payin: {
    enabled: { kind: "boolean", label: "Enabled", default: true, help: "When off, new PayIn payments are refused; existing ones are still verified." },
    environment: { kind: "enum", label: "Environment", values: ["testnet", "mainnet"], default: "testnet" },
    apiKey: { kind: "secret", label: "API key", help: "Starts with pk_; sent as a Bearer token." },
    webhookSecret: { kind: "secret", label: "Webhook secret", help: "PayIn → Settings → Webhooks; checks the X-PayIn-Signature header." },
    defaultToken: { kind: "enum", label: "Default token", values: ["USDT", "USDC"] },
    defaultChainId: { kind: "text", label: "Default chain" },
    allowedTokens: { kind: "list", label: "Allowed tokens" },
    allowedChains: { kind: "list", label: "Allowed chains" },
    storefrontReturnUrl: { kind: "url", label: "Storefront return URL" },
    allowedStorefrontOrigins: { kind: "list", label: "Allowed storefront origins" },
  },
} as const satisfies Record<GatewayId, Record<string, SettingField>>

export type GatewaySettingName<G extends GatewayId = GatewayId> = keyof (typeof GATEWAY_SETTING_FIELDS)[G] & string

export function settingFields(gateway: GatewayId): Record<string, SettingField> {
  return GATEWAY_SETTING_FIELDS[gateway] as Record<string, SettingField>
}

export function isSecretSetting(gateway: GatewayId, name: string): boolean {
  return settingFields(gateway)[name]?.kind === "secret"
}

/** Where AES-GCM binds a sealed secret to (a ciphertext of `payin.apiKey` will not open as `payin.webhookSecret`). */
export function secretContext(gateway: GatewayId, name: string): string {
  return `${gateway}.${name}`
}

/** One gateway's row, secrets decrypted. Plain values only ever live in memory. */
export type SavedGatewaySettings = {
  values: Record<string, unknown>
  secrets: Record<string, string>
  /** Saved secrets that could not be used, one sentence each (never containing the secret). */
  problems: string[]
  updatedAt?: Date
  updatedBy?: string | null
  /** The settings table does not exist (migrations not run): only medusa-config options apply. */
  missingTable?: boolean
}

const EMPTY: SavedGatewaySettings = { values: {}, secrets: {}, problems: [] }

type Log = { warn(message: string): void }

/** Reads and decrypts one gateway's saved settings (no cache). A missing table means "nothing saved". */
export async function readSavedGatewaySettings(pg: Knex, gateway: GatewayId, log?: Log): Promise<SavedGatewaySettings> {
  let row: { values: unknown; secrets: unknown; updated_at: Date; updated_by: string | null } | undefined
  try {
    const result = await pg.raw(
      `SELECT "values", "secrets", "updated_at", "updated_by" FROM ${SETTINGS_TABLE} WHERE gateway = ? AND deleted_at IS NULL LIMIT 1`,
      [gateway]
    )
    row = result.rows[0]
  } catch (error) {
    // 42P01: the plugin module's migrations have not run (or the module is not registered).
    if ((error as { code?: string }).code === "42P01") {
      return { ...EMPTY, missingTable: true }
    }
    throw error
  }
  if (!row) return EMPTY
  const values = isRecord(row.values) ? filterKnown(gateway, row.values, false) : {}
  const sealed = isRecord(row.secrets) ? filterKnown(gateway, row.secrets, true) : {}
  const secrets: Record<string, string> = {}
  const problems: string[] = []
  if (Object.keys(sealed).length) {
    const key = resolveSecretBoxKey()
    if (!key.ok) {
      problems.push(`Saved ${GATEWAY_LABELS[gateway]} secrets are ignored: ${key.reason}`)
    } else {
      if (log) warnOnceIfDevelopmentKey(key.key, (m) => log.warn(m))
      for (const [name, box] of Object.entries(sealed)) {
        try {
          secrets[name] = openSecret(String(box), secretContext(gateway, name), key.key)
        } catch (error) {
          problems.push((error as Error).message)
        }
      }
    }
  }
  return { values, secrets, problems, updatedAt: new Date(row.updated_at), updatedBy: row.updated_by }
}

function filterKnown(gateway: GatewayId, input: Record<string, unknown>, secret: boolean): Record<string, unknown> {
  const fields = settingFields(gateway)
  return Object.fromEntries(Object.entries(input).filter(([k]) => fields[k] && (fields[k].kind === "secret") === secret))
}

// ---------------------------------------------------------------------------
// Cache: one read per gateway per 30 s per process (a promise, so concurrent callers share it).

type CacheEntry = { at: number; pg: Knex; promise: Promise<SavedGatewaySettings> }
const cache = new Map<GatewayId, CacheEntry>()

export async function cachedSavedGatewaySettings(
  pg: Knex,
  gateway: GatewayId,
  { maxAgeMs = SETTINGS_MAX_AGE_MS, log }: { maxAgeMs?: number; log?: Log } = {}
): Promise<SavedGatewaySettings> {
  const hit = cache.get(gateway)
  if (hit && hit.pg === pg && Date.now() - hit.at < maxAgeMs) return hit.promise
  const promise = readSavedGatewaySettings(pg, gateway, log)
  const entry = { at: Date.now(), pg, promise }
  cache.set(gateway, entry)
  // A failed read is not kept: the next call tries the database again.
  promise.catch(() => cache.get(gateway) === entry && cache.delete(gateway))
  return promise
}

/** Forgets the cached settings (all gateways when none is named): the next read goes to the database. */
export function invalidateGatewaySettings(gateway?: GatewayId): void {
  if (gateway) cache.delete(gateway)
  else cache.clear()
}

// ---------------------------------------------------------------------------
// Precedence

export type EffectiveGatewayOptions = {
  /** Provider options to validate and use: medusa-config options with admin values laid over them. */
  options: Record<string, unknown>
  enabled: boolean
  /** Where each admin-settable option comes from. */
  sources: Record<string, SettingSource>
  problems: string[]
  /** Changes whenever the saved row changes; "config" when nothing is saved. */
  version: string
}

export function effectiveGatewayOptions(
  gateway: GatewayId,
  configOptions: Record<string, unknown>,
  saved: SavedGatewaySettings
): EffectiveGatewayOptions {
  const options: Record<string, unknown> = { ...configOptions }
  const sources: Record<string, SettingSource> = {}
  for (const [name, field] of Object.entries(settingFields(gateway))) {
    const adminValue = field.kind === "secret" ? saved.secrets[name] : saved.values[name]
    if (adminValue !== undefined && adminValue !== null) {
      options[name] = adminValue
      sources[name] = "admin"
    } else if (isSet(configOptions[name])) {
      sources[name] = "medusa-config"
    } else {
      sources[name] = "default"
    }
  }
  const enabled = options.enabled === undefined ? true : options.enabled !== false && options.enabled !== "false"
  delete options.enabled
  const hasSaved = Object.keys(saved.values).length + Object.keys(saved.secrets).length > 0
  const version = hasSaved
    ? createHash("sha256")
        .update(JSON.stringify([saved.updatedAt?.toISOString(), Object.keys(saved.secrets).sort(), saved.values]))
        .digest("hex")
        .slice(0, 16)
    : "config"
  return { options, enabled, sources, problems: saved.problems, version }
}

function isSet(value: unknown): boolean {
  if (value === undefined || value === null || value === "") return false
  if (Array.isArray(value) && value.length === 0) return false
  return true
}

// ---------------------------------------------------------------------------
// medusa-config options of a registered provider (for the admin API, which has no provider options of its own)

type ProviderEntry = { resolve?: unknown; id?: unknown; options?: unknown }

/**
 * The options medusa-config.ts gives the gateway's provider registration
 * (`{ resolve: "…/providers/secpaid", id: "secpaid", options }`), or `{}`.
 */
export function configuredProviderOptions(configModule: unknown, gateway: GatewayId, registrationId: string = gateway): Record<string, unknown> {
  const modules = (configModule as { modules?: unknown })?.modules
  const candidates: unknown[] = Array.isArray(modules) ? modules : modules && typeof modules === "object" ? Object.values(modules) : []
  const resolvesToGateway = (resolve: unknown) => typeof resolve === "string" && new RegExp(`(^|[/\\\\])${gateway}([/\\\\]index(\\.[jt]s)?)?$`).test(resolve)
  for (const mod of candidates) {
    const providers = (mod as { options?: { providers?: unknown } })?.options?.providers
    if (!Array.isArray(providers)) continue
    const entries = (providers as ProviderEntry[]).filter((p) => resolvesToGateway(p?.resolve))
    const entry = entries.find((p) => p.id === registrationId) ?? entries[0]
    if (entry) return isRecord(entry.options) ? { ...entry.options } : {}
  }
  return {}
}

/**
 * The effective raw provider options for code outside the provider (routes, jobs)
 * that builds its own client: medusa-config options of the registration with the
 * admin's saved values laid over them (cached like the providers' reads). Validate
 * the result with the provider's own parser.
 */
export async function effectiveProviderOptions(
  container: { resolve<T = unknown>(key: string): T },
  gateway: GatewayId,
  registrationId: string = gateway
): Promise<Record<string, unknown>> {
  const configOptions = configuredProviderOptions(container.resolve("configModule"), gateway, registrationId)
  const saved = await cachedSavedGatewaySettings(container.resolve<Knex>("__pg_connection__"), gateway)
  return effectiveGatewayOptions(gateway, configOptions, saved).options
}

// ---------------------------------------------------------------------------
// Providers: admin settings before every gateway call

/** The provider methods that reach the gateway (Medusa's, and the plugin's own); each runs with the effective options. */
const PROVIDER_METHODS = [
  "initiatePayment",
  "updatePayment",
  "deletePayment",
  "authorizePayment",
  "capturePayment",
  "refundPayment",
  "retrievePayment",
  "cancelPayment",
  "getPaymentStatus",
  "getWebhookActionAndData",
  "createAccountHolder",
  "updateAccountHolder",
  "deleteAccountHolder",
  "listPaymentMethods",
  "savePaymentMethod",
  // The plugin's own: PayIn's processing of an inbox event (asks PayIn for the order).
  "actionForStoredEvent",
] as const

type ProviderCradle = { __pg_connection__?: Knex; logger?: { warn(message: string): void } }
type ProviderClass = abstract new (cradle: any, options: any, ...rest: any[]) => object

export type AdminConfigurableProvider = {
  /** Brings `options_`/`client_` (and so the provider's accessors) up to date with the admin settings. */
  refreshGatewaySettings(): Promise<EffectiveGatewayOptions | undefined>
}

/**
 * Wraps a provider class so that every call Medusa makes runs with the effective
 * options. The provider itself stays unaware of admin settings: when the saved row
 * changes, a fresh instance of the same class is built from the merged options (so
 * the provider's own `validateOptions` parsing and client construction apply), and
 * its `options_`/`client_` are also copied onto the registered instance, so the
 * provider's public accessors (`gatewayClient()`, `webhookSecret()`,
 * `webhookEncryptionKey()`) return the effective client and secrets.
 *
 * Without `__pg_connection__` in the cradle (unit tests) the provider behaves
 * exactly as the unwrapped class.
 */
export function withAdminSettings<T extends ProviderClass>(Base: T, gateway: GatewayId): T {
  abstract class AdminConfigured extends (Base as unknown as new (cradle: any, options: any, ...rest: any[]) => any) {
    private readonly settingsCradle_: ProviderCradle
    private readonly configOptions_: Record<string, unknown>
    private readonly configState_: { options_: unknown; client_: unknown }
    private current_: { version: string; provider: any; effective?: EffectiveGatewayOptions } = { version: "config", provider: undefined }

    private refreshTimer_?: ReturnType<typeof setInterval>
    private refreshChain_: Promise<unknown> = Promise.resolve()

    constructor(cradle: ProviderCradle, options: Record<string, unknown>, ...rest: unknown[]) {
      super(cradle, options, ...rest)
      this.settingsCradle_ = cradle
      this.configOptions_ = { ...(options ?? {}) }
      this.configState_ = { options_: this.options_, client_: this.client_ }
      if (this.pg_()) {
        // Right away (an instance that only receives webhooks must not wait for a payment call), then periodically.
        void this.refreshGatewaySettings({ background: true }).catch(() => undefined)
        this.refreshTimer_ = setInterval(() => void this.refreshGatewaySettings({ background: true }).catch(() => undefined), SETTINGS_REFRESH_INTERVAL_MS)
        this.refreshTimer_.unref?.()
      }
    }

    /** Stops the background refresh (tests; a provider is otherwise as long-lived as the process). */
    stopGatewaySettingsRefresh(): void {
      if (this.refreshTimer_) clearInterval(this.refreshTimer_)
      this.refreshTimer_ = undefined
    }

    private pg_(): Knex | undefined {
      try {
        return this.settingsCradle_.__pg_connection__
      } catch {
        return undefined
      }
    }

    /**
     * Background refreshes stay silent (they run during `medusa db:migrate` too, before
     * the table exists); refreshes before a gateway call log what is wrong, once.
     */
    refreshGatewaySettings(opts: { background?: boolean } = {}): Promise<EffectiveGatewayOptions | undefined> {
      // One refresh at a time, each after the previous: a refresh started before a save cannot overwrite a later one.
      const next = this.refreshChain_.then(() => this.refreshNow_(opts))
      this.refreshChain_ = next.catch(() => undefined)
      return next
    }

    private async refreshNow_({ background = false }: { background?: boolean }): Promise<EffectiveGatewayOptions | undefined> {
      const pg = this.pg_()
      if (!pg) return undefined
      const log = background ? undefined : this.settingsCradle_.logger
      let saved: SavedGatewaySettings
      try {
        saved = await cachedSavedGatewaySettings(pg, gateway, { log })
      } catch (error) {
        // The settings could not be read (database hiccup): keep using the options of the last successful read.
        warnOnce(log,
          `${gateway}:read-failed`,
          `Payment gateways: could not read the saved ${GATEWAY_LABELS[gateway]} settings (${(error as Error).message}); using the last known options until the next read succeeds.`
        )
        return this.current_.effective
      }
      if (saved.missingTable) {
        warnOnce(log, "missing-table", `Payment gateways: table ${SETTINGS_TABLE} does not exist, so only medusa-config options are used; run \`medusa db:migrate\` to enable admin settings.`)
      }
      for (const problem of saved.problems) warnOnce(log, `${gateway}:${problem}`, problem)
      if (log && Object.keys(saved.secrets).length) {
        const key = resolveSecretBoxKey()
        if (key.ok) warnOnceIfDevelopmentKey(key.key, (m) => log.warn(m))
      }
      const effective = effectiveGatewayOptions(gateway, this.configOptions_, saved)
      if (effective.version !== this.current_.version) {
        // The constructor validates: settings the API accepted always parse; anything else throws a sentence naming the option.
        const provider = effective.version === "config" ? undefined : new (Base as any)(this.settingsCradle_, effective.options)
        this.current_ = { version: effective.version, provider }
        const state = provider ? { options_: provider.options_, client_: provider.client_ } : this.configState_
        Object.assign(this, state)
      }
      this.current_.effective = effective
      return effective
    }
  }
  for (const name of PROVIDER_METHODS) {
    const original = (Base.prototype as Record<string, unknown>)[name]
    if (typeof original !== "function") continue
    Object.defineProperty(AdminConfigured.prototype, name, {
      configurable: true,
      writable: true,
      value: async function (this: AdminConfigured & Record<string, any>, input: unknown) {
        const effective = await this.refreshGatewaySettings()
        if (effective && !effective.enabled && name === "initiatePayment") {
          throw new MedusaError(
            MedusaError.Types.NOT_ALLOWED,
            `${GATEWAY_LABELS[gateway]} is switched off in Settings → Payment gateways; choose another payment method or switch it on again.`
          )
        }
        const target = (this as any).current_.provider ?? this
        return (original as (input: unknown) => unknown).call(target, input)
      },
    })
  }
  Object.defineProperty(AdminConfigured, "name", { value: Base.name })
  return AdminConfigured as unknown as T
}

// ---------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value)
}

const warned = new Set<string>()
function warnOnce(log: Log | undefined, key: string, message: string) {
  if (!log || warned.has(key)) return
  warned.add(key)
  log.warn(message)
}
