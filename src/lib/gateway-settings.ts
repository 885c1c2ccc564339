import { createHash } from "node:crypto"
import { configuredRegistrations } from "../modules/payment-gateways/registrations"
import { openSecret, resolveSecretBoxKey, warnOnceIfDevelopmentKey } from "./secret-box"

/**
 * Gateway settings: what the merchant saved in Settings → Payment gateways, laid over
 * the provider options from medusa-config.ts. Pure definitions and rules only:
 *
 *  - which options the admin may set (`GATEWAY_SETTING_FIELDS`),
 *  - how a stored row is decrypted (`decodeSavedGatewaySettings`),
 *  - the precedence, per option: admin value → medusa-config value → the provider's
 *    default (`effectiveGatewayOptions`).
 *
 * The plugin module reads, caches and writes the `payment_gateway_setting` table
 * (src/modules/payment-gateways/gateway-settings-store.ts); each provider asks a
 * `GatewaySettingsRuntime` (./gateway-runtime.ts) for its effective options and
 * client at the start of every call.
 */

export const GATEWAY_IDS = ["secpaid", "payin"] as const
export type GatewayId = (typeof GATEWAY_IDS)[number]

export const GATEWAY_LABELS: Record<GatewayId, "SecPaid" | "PayIn"> = { secpaid: "SecPaid", payin: "PayIn" }

export const SETTINGS_TABLE = "payment_gateway_setting"
/** How old the plugin module's cached copy of a gateway's settings may be when a provider call uses it. */
export const SETTINGS_MAX_AGE_MS = 20_000

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

type Log = { warn(message: string): void }

/** A settings row as stored: plain values, sealed secrets (see secret-box.ts). */
export type StoredGatewaySettingsRow = { values: unknown; secrets: unknown; updated_at: Date | string; updated_by: string | null }

/**
 * Decrypts one gateway's stored row (no row: nothing saved). Unknown names are
 * dropped; secrets that cannot be opened are reported in `problems`, never returned.
 */
export function decodeSavedGatewaySettings(gateway: GatewayId, row: StoredGatewaySettingsRow | undefined, log?: Log): SavedGatewaySettings {
  if (!row) return { values: {}, secrets: {}, problems: [] }
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

/**
 * The options medusa-config.ts gives one registration of the gateway's provider
 * (`{ resolve: "…/providers/secpaid", id: "eu", options }` for registration id `eu`),
 * or `{}`. When no registration has that id, the gateway's only registration answers
 * (stores that call it with the default id); with several, none does.
 */
export function configuredProviderOptions(configModule: unknown, gateway: GatewayId, registrationId: string = gateway): Record<string, unknown> {
  const registrations = configuredRegistrations(configModule).filter((r) => r.gateway === gateway)
  const registration = registrations.find((r) => r.registrationId === registrationId) ?? (registrations.length === 1 ? registrations[0] : undefined)
  return registration ? { ...registration.options } : {}
}

// ---------------------------------------------------------------------------

function isRecord(value: unknown): value is Record<string, unknown> {
  return !!value && typeof value === "object" && !Array.isArray(value)
}

