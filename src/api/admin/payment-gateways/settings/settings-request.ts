import { z } from "zod"
import {
  effectiveGatewayOptions,
  GATEWAY_LABELS,
  settingFields,
  type GatewayId,
  type SavedGatewaySettings,
} from "../../../../lib/gateway-settings"
import { gatewayAdapter } from "../../../../modules/payment-gateways/gateway-adapters"
import { PAYIN_ENVIRONMENTS, PAYIN_TOKENS } from "../../../../providers/payin/options"
import { productionUrlProblem } from "../../../../providers/secpaid/options"

/**
 * The body of POST /admin/payment-gateways/settings/:gateway (and of a connection
 * test with unsaved values). Per field: absent = unchanged, `null` = forget the admin
 * value (medusa-config or the default applies again), a value = save it.
 */

const nullable = <T extends z.ZodTypeAny>(schema: T) => schema.nullable().optional()

const text = (what: string) => z.string({ message: `must be ${what}` }).trim().min(1, { message: `must not be empty; send null to remove the saved value` })

/** Lists may arrive as arrays or as comma-separated text (one input field in a form). */
const list = <T extends z.ZodTypeAny>(item: T, what: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? v.split(",").map((s) => s.trim()).filter(Boolean) : v),
    z.array(item, { message: `must be a list of ${what}` })
  ).transform((items) => (items.length ? items : null))

const httpUrl = z
  .string({ message: "must be an absolute http(s) URL" })
  .trim()
  .refine((v) => {
    try {
      const url = new URL(v)
      return (url.protocol === "http:" || url.protocol === "https:") && !url.username && !url.password
    } catch {
      return false
    }
  }, { message: "must be an absolute http(s) URL without credentials, such as https://shop.example.com/checkout/return" })

const origin = httpUrl.transform((v) => new URL(v).origin)

const common = {
  enabled: nullable(z.boolean({ message: "must be true or false" })),
  storefrontReturnUrl: nullable(httpUrl),
  allowedStorefrontOrigins: nullable(list(origin, "origins such as https://shop.example.com")),
}

export const secPaidSettingsBodySchema = z.strictObject(
  {
    ...common,
    environment: nullable(z.enum(["development", "production"], { message: 'must be "development" or "production"' })),
    apiKey: nullable(text("the SecPaid API key")),
    encryptionKey: nullable(z.string({ message: "must be text" }).refine((v) => v.length === 32, { message: "must be exactly 32 characters (the AES-256 key set in your SecPaid profile)" })),
    paymentEndpoint: nullable(
      list(
        z.string().trim().refine((v) => /^\d+$/.test(v) || /^https?:\/\/[^\s,]+$/i.test(v), {
          message: 'each entry must be a full http(s) URL or a profile index such as "0"',
        }),
        "URLs or profile indexes"
      )
    ),
    cancellable: nullable(z.boolean({ message: "must be true or false" })),
    bankTransfer: nullable(z.boolean({ message: "must be true or false" })),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `is not a SecPaid setting` : undefined) }
)

export const payInSettingsBodySchema = z.strictObject(
  {
    ...common,
    environment: nullable(z.enum(PAYIN_ENVIRONMENTS, { message: 'must be "testnet" or "mainnet"' })),
    apiKey: nullable(text("the PayIn API key").refine((v) => /^pk_\S+$/.test(v), { message: 'must be a PayIn API key starting with "pk_"' })),
    webhookSecret: nullable(text("the PayIn webhook secret").refine((v) => v.length >= 8, { message: "is too short to be a PayIn webhook secret; copy it again from PayIn (Settings → Webhooks)" })),
    defaultToken: nullable(z.enum(PAYIN_TOKENS, { message: 'must be "USDT" or "USDC"' })),
    defaultChainId: nullable(text("a PayIn chain id such as ethereum-sepolia")),
    allowedTokens: nullable(list(z.enum(PAYIN_TOKENS, { message: 'must list "USDT" and/or "USDC"' }), "tokens")),
    allowedChains: nullable(list(z.string().trim().min(1), "PayIn chain ids")),
  },
  { error: (issue) => (issue.code === "unrecognized_keys" ? `is not a PayIn setting` : undefined) }
)

/** Each gateway's admin-settable fields, as the body may send them. */
const SETTINGS_BODY_SCHEMAS: Record<GatewayId, z.ZodTypeAny> = { secpaid: secPaidSettingsBodySchema, payin: payInSettingsBodySchema }

export type SettingsPatch = Record<string, unknown>

export type FieldErrors = Record<string, string>

export type ParsedSettingsBody = { ok: true; patch: SettingsPatch } | { ok: false; errors: FieldErrors }

/** Validates the body field by field; every problem is reported under its field name. */
export function parseSettingsBody(gateway: GatewayId, body: unknown): ParsedSettingsBody {
  const schema = SETTINGS_BODY_SCHEMAS[gateway]
  const result = schema.safeParse(body ?? {})
  if (result.success) return { ok: true, patch: result.data as SettingsPatch }
  const errors: FieldErrors = {}
  for (const issue of result.error.issues) {
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) errors[key] ??= `\`${key}\` is not a ${GATEWAY_LABELS[gateway]} setting; the settings are ${Object.keys(settingFields(gateway)).join(", ")}.`
      continue
    }
    const field = issue.path.length ? String(issue.path[0]) : "body"
    errors[field] ??= field === "body" ? `The body must be a JSON object of settings (${issue.message}).` : `\`${field}\` ${issue.message}.`
  }
  return { ok: false, errors }
}

/** The saved settings after applying a patch (nulls remove the admin value). */
export function applyPatch(gateway: GatewayId, saved: SavedGatewaySettings, patch: SettingsPatch): SavedGatewaySettings {
  const fields = settingFields(gateway)
  const values = { ...saved.values }
  const secrets = { ...saved.secrets }
  for (const [name, value] of Object.entries(patch)) {
    if (value === undefined) continue
    const target = fields[name]?.kind === "secret" ? secrets : values
    if (value === null) delete target[name]
    else (target as Record<string, unknown>)[name] = value
  }
  return { ...saved, values, secrets }
}

/**
 * Checks that the settings, laid over medusa-config, still make a working provider
 * (the provider's own option parser), and that in production no endpoint is
 * plain http, private or loopback. Field errors, or nothing.
 */
export function checkEffectiveSettings(
  gateway: GatewayId,
  configOptions: Record<string, unknown>,
  next: SavedGatewaySettings,
  patch: SettingsPatch,
  env: NodeJS.ProcessEnv = process.env
): FieldErrors {
  const errors: FieldErrors = {}
  const effective = effectiveGatewayOptions(gateway, configOptions, next)
  const options = effective.options
  const production = env.NODE_ENV === "production" || options.environment === "production" || options.environment === "mainnet"
  if (production) {
    const urls: Array<[string, string]> = []
    const changed = (name: string) => patch[name] !== undefined && patch[name] !== null
    if (changed("storefrontReturnUrl")) urls.push(["storefrontReturnUrl", String(options.storefrontReturnUrl)])
    if (changed("allowedStorefrontOrigins")) for (const o of options.allowedStorefrontOrigins as string[]) urls.push(["allowedStorefrontOrigins", o])
    if (changed("paymentEndpoint")) for (const e of options.paymentEndpoint as string[]) if (!/^\d+$/.test(e)) urls.push(["paymentEndpoint", e])
    for (const [field, url] of urls) {
      const problem = productionUrlProblem(url)
      if (problem) errors[field] ??= `\`${field}\` ${problem} in production (got ${url}).`
    }
  }
  if (Object.keys(errors).length) return errors
  try {
    gatewayAdapter(gateway).parseOptions(options)
  } catch (error) {
    const message = (error as Error).message
    const named = [...message.matchAll(/`(\w+)`/g)].map((m) => m[1]).filter((name) => name in settingFields(gateway))
    const field = named.find((n) => patch[n] !== undefined) ?? named[0] ?? "body"
    errors[field] = `With these settings the ${GATEWAY_LABELS[gateway]} provider would not start: ${message}`
  }
  return errors
}
