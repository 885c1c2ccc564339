import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import {
  configuredProviderOptions,
  effectiveGatewayOptions,
  GATEWAY_IDS,
  GATEWAY_LABELS,
  settingFields,
  type GatewayId,
  type SavedGatewaySettings,
  type SettingField,
  type SettingSource,
} from "../../../../lib/gateway-settings"
import { maskSecret } from "../../../../lib/redact"
import { ENCRYPTION_KEY_ENV, resolveSecretBoxKey } from "../../../../lib/secret-box"
import { listGatewayRegistrations, type RegisteredGateway } from "../../../../modules/payment-gateways/gateway-registry"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import { registrationOfProviderId } from "../../../../modules/payment-gateways/registrations"
import { settingsKeyChoice, type SettingsKeyChoice } from "../../../../modules/payment-gateways/settings-key"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { gatewayAdapter } from "../../../../modules/payment-gateways/gateway-adapters"

/**
 * What the admin page shows for one provider registration: every setting with its
 * effective value and where it comes from, the webhook URL to register, and problems.
 * Secrets are only ever described by a mask (`••••3f9a`), whatever their source.
 */
export type DescribedSetting = SettingField & {
  name: string
  /** The effective value; for secrets a mask, never the secret. */
  value: unknown
  source: SettingSource
  /** A value is saved in the admin for this field. */
  saved: boolean
}

export type DescribedGateway = {
  /** The gateway (`secpaid`), as before registrations were listed one by one; `provider_id` names the registration. */
  id: GatewayId
  gateway: GatewayId
  /** Medusa's payment provider id of the registration (`pp_secpaid_eu`): the settings are kept per provider id. */
  provider_id: string
  /** The registration's `id` in medusa-config.ts (`eu`); "" when it has none. */
  registration_id: string
  /** The gateway's name (`SecPaid`). */
  name: string
  /** How the admin names the registration: `SecPaid — eu`, or just `SecPaid` for the gateway's only registration under its own name. */
  label: string
  enabled: boolean
  settings: DescribedSetting[]
  webhook: { url: string; where: string }
  problems: string[]
  updated_at: string | null
}

export type EncryptionStatus = { available: boolean; source: "env" | "development" | null; message: string }

export function describeEncryption(env: NodeJS.ProcessEnv = process.env): EncryptionStatus {
  const key = resolveSecretBoxKey(env)
  if (!key.ok) return { available: false, source: null, message: key.reason }
  return key.key.source === "env"
    ? { available: true, source: "env", message: `Secrets are stored encrypted (AES-256-GCM) with ${ENCRYPTION_KEY_ENV}.` }
    : {
        available: true,
        source: "development",
        message: `${ENCRYPTION_KEY_ENV} is not set: secrets are encrypted with a built-in development key that protects nothing. Set it before going live.`,
      }
}

/** The plugin module, which owns the saved settings. */
export function paymentGatewaysService(container: MedusaContainer): PaymentGatewaysModuleService {
  return container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
}

/** A registration as the admin routes handle it: the provider's id, its label, and the settings row it uses. */
export type AdminRegistration = RegisteredGateway & { label: string; settings: SettingsKeyChoice; siblings: number }

/**
 * Every registration of the plugin's gateways the store runs with, SecPaid before
 * PayIn, each gateway's in provider id order. Registrations medusa-config no longer
 * makes (Medusa keeps them in its provider table, disabled) are left out.
 */
export async function adminRegistrations(container: MedusaContainer): Promise<AdminRegistration[]> {
  const all = (await listGatewayRegistrations(container)).filter((r) => r.enabled)
  const count = (gateway: GatewayId) => all.filter((r) => r.gateway === gateway).length
  return [...all]
    .sort((a, b) => GATEWAY_IDS.indexOf(a.gateway) - GATEWAY_IDS.indexOf(b.gateway) || a.providerId.localeCompare(b.providerId))
    .map((registration) => {
      const siblings = count(registration.gateway)
      const ownName = registration.registrationId === registration.gateway || registration.registrationId === ""
      const name = GATEWAY_LABELS[registration.gateway]
      const label = siblings === 1 && ownName ? name : `${name} — ${registration.registrationId || "without id"}`
      return { ...registration, label, siblings, settings: settingsKeyChoice(registration.gateway, registration, siblings) }
    })
}

export type RegistrationParam = { ok: true; registration: AdminRegistration } | { ok: false; status: 400 | 404; message: string }

/**
 * The registration a route's `:id` names: a provider id (`pp_secpaid_eu`), or a bare
 * gateway (`secpaid`) when the store registers that gateway once (clients written
 * before registrations were listed one by one).
 */
export async function registrationParam(container: MedusaContainer, id: string, route: "settings" | "test-connection"): Promise<RegistrationParam> {
  const all = await adminRegistrations(container)
  const ids = all.map((r) => r.providerId).join(", ") || "none"
  if (registrationOfProviderId(id)) {
    const registration = all.find((r) => r.providerId === id)
    if (registration) return { ok: true, registration }
    return { ok: false, status: 404, message: `This store has no payment provider "${id}"; use one of its registered providers (${ids}).` }
  }
  if (!(GATEWAY_IDS as readonly string[]).includes(id)) {
    return { ok: false, status: 404, message: `There is no payment gateway "${id}" in this store; use a provider id (${ids}).` }
  }
  const gateway = id as GatewayId
  const registrations = all.filter((r) => r.gateway === gateway)
  if (registrations.length === 1) return { ok: true, registration: registrations[0] }
  if (!registrations.length) return { ok: false, status: 404, message: `This store has no ${GATEWAY_LABELS[gateway]} payment provider registered; add one to the payment module's providers in medusa-config.ts.` }
  return {
    ok: false,
    status: 400,
    message: `${GATEWAY_LABELS[gateway]} is registered ${registrations.length} times in this store (${registrations.map((r) => r.providerId).join(", ")}); name one by its provider id, as in /admin/payment-gateways/${route}/${registrations[0].providerId}.`,
  }
}

/** The settings as saved now (not the providers' cached copy): what the admin page shows and edits. */
export async function savedSettingsNow(container: MedusaContainer, registration: AdminRegistration): Promise<SavedGatewaySettings> {
  return await paymentGatewaysService(container).gatewaySettings(registration.gateway, {
    key: registration.settings.settingsKey,
    fallbackToGatewayRow: registration.settings.fallbackToGatewayRow,
    fresh: true,
  })
}

/** The options medusa-config.ts gives this registration. */
export function configOptionsOf(container: MedusaContainer, registration: Pick<RegisteredGateway, "gateway" | "registrationId">): Record<string, unknown> {
  return configuredProviderOptions(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE), registration.gateway, registration.registrationId)
}

/** The store's public URL the providers build their webhook and return URLs from. */
function backendUrlOf(container: MedusaContainer, options: Record<string, unknown>): string {
  if (typeof options.backendUrl === "string" && options.backendUrl) return options.backendUrl.replace(/\/+$/, "")
  const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE) as { admin?: { backendUrl?: string } }
  return (config.admin?.backendUrl || process.env.MEDUSA_BACKEND_URL || "http://localhost:9000").replace(/\/+$/, "")
}

export function webhookUrlFor(
  container: MedusaContainer,
  gateway: GatewayId,
  options: Record<string, unknown>,
  registration?: Pick<AdminRegistration, "registrationId" | "siblings">
): DescribedGateway["webhook"] {
  return gatewayAdapter(gateway).webhookUrl({
    backendUrl: backendUrlOf(container, options),
    options,
    registrationId: registration?.registrationId,
    registrationsOfGateway: registration?.siblings ?? 1,
  })
}

export function describeGateway(
  container: MedusaContainer,
  registration: AdminRegistration,
  saved: SavedGatewaySettings,
  configOptions: Record<string, unknown> = configOptionsOf(container, registration)
): DescribedGateway {
  const gateway = registration.gateway
  const effective = effectiveGatewayOptions(gateway, configOptions, saved)
  const defaults = providerDefaults(gateway, effective.options)
  const settings: DescribedSetting[] = Object.entries(settingFields(gateway)).map(([name, field]) => {
    const source = effective.sources[name]
    const raw = name === "enabled" ? effective.enabled : source === "default" ? defaults[name] ?? field.default ?? null : effective.options[name]
    const value = field.kind === "secret" ? (typeof raw === "string" && raw ? maskSecret(raw) : null) : raw ?? null
    const saved_ = field.kind === "secret" ? name in saved.secrets : name in saved.values
    return { name, ...field, value, source, saved: saved_ }
  })
  return {
    id: gateway,
    gateway,
    provider_id: registration.providerId,
    registration_id: registration.registrationId,
    name: GATEWAY_LABELS[gateway],
    label: registration.label,
    enabled: effective.enabled,
    settings,
    webhook: webhookUrlFor(container, gateway, effective.options, registration),
    problems: effective.problems,
    updated_at: saved.updatedAt ? saved.updatedAt.toISOString() : null,
  }
}

/** What the provider itself would use for options nobody set (PayIn's default token depends on the environment). */
function providerDefaults(gateway: GatewayId, options: Record<string, unknown>): Record<string, unknown> {
  try {
    return gatewayAdapter(gateway).parseOptions(options)
  } catch {
    return {}
  }
}

export async function loadAndDescribeGateway(container: MedusaContainer, registration: AdminRegistration): Promise<DescribedGateway> {
  const saved = await savedSettingsNow(container, registration)
  return describeGateway(container, registration, saved)
}
