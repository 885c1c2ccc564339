import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import {
  configuredProviderOptions,
  effectiveGatewayOptions,
  GATEWAY_LABELS,
  settingFields,
  type GatewayId,
  type SavedGatewaySettings,
  type SettingField,
  type SettingSource,
} from "../../../../lib/gateway-settings"
import { maskSecret } from "../../../../lib/redact"
import { ENCRYPTION_KEY_ENV, resolveSecretBoxKey } from "../../../../lib/secret-box"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../../modules/payment-gateways/service"
import { parsePayInOptions } from "../../../../providers/payin/options"
import { defaultSecPaidPaymentEndpoint, parseSecPaidOptions } from "../../../../providers/secpaid/options"

/**
 * What the admin page shows for one gateway: every setting with its effective value
 * and where it comes from, the webhook URL to register, and problems. Secrets are
 * only ever described by a mask (`••••3f9a`), whatever their source.
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
  id: GatewayId
  name: string
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

/** The settings as saved now (not the providers' cached copy): what the admin page shows and edits. */
export async function savedSettingsNow(container: MedusaContainer, gateway: GatewayId): Promise<SavedGatewaySettings> {
  return await paymentGatewaysService(container).gatewaySettings(gateway, { fresh: true })
}

export function configOptionsOf(container: MedusaContainer, gateway: GatewayId): Record<string, unknown> {
  return configuredProviderOptions(container.resolve(ContainerRegistrationKeys.CONFIG_MODULE), gateway)
}

/** The store's public URL the providers build their webhook and return URLs from. */
function backendUrlOf(container: MedusaContainer, options: Record<string, unknown>): string {
  if (typeof options.backendUrl === "string" && options.backendUrl) return options.backendUrl.replace(/\/+$/, "")
  const config = container.resolve(ContainerRegistrationKeys.CONFIG_MODULE) as { admin?: { backendUrl?: string } }
  return (config.admin?.backendUrl || process.env.MEDUSA_BACKEND_URL || "http://localhost:9000").replace(/\/+$/, "")
}

export function webhookUrlFor(container: MedusaContainer, gateway: GatewayId, options: Record<string, unknown>): DescribedGateway["webhook"] {
  const backendUrl = backendUrlOf(container, options)
  if (gateway === "payin") {
    return { url: `${backendUrl}/hooks/payin`, where: "Register this URL in PayIn → Settings → Webhooks, with the webhook secret shown there saved here." }
  }
  const endpoints = Array.isArray(options.paymentEndpoint) ? (options.paymentEndpoint as string[]) : []
  const url = endpoints.find((e) => !/^\d+$/.test(e)) ?? defaultSecPaidPaymentEndpoint(backendUrl)
  return {
    url,
    where: endpoints.length
      ? "Sent as payment_endpoint with every payment link (from the Payment endpoint setting); URLs saved in your SecPaid profile are referenced by index."
      : "Sent as payment_endpoint with every payment link; if you reference profile endpoints instead, save this URL in your SecPaid profile.",
  }
}

export function describeGateway(
  container: MedusaContainer,
  gateway: GatewayId,
  saved: SavedGatewaySettings,
  configOptions: Record<string, unknown> = configOptionsOf(container, gateway)
): DescribedGateway {
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
    name: GATEWAY_LABELS[gateway],
    enabled: effective.enabled,
    settings,
    webhook: webhookUrlFor(container, gateway, effective.options),
    problems: effective.problems,
    updated_at: saved.updatedAt ? saved.updatedAt.toISOString() : null,
  }
}

/** What the provider itself would use for options nobody set (PayIn's default token depends on the environment). */
function providerDefaults(gateway: GatewayId, options: Record<string, unknown>): Record<string, unknown> {
  try {
    return (gateway === "secpaid" ? parseSecPaidOptions(options) : parsePayInOptions(options)) as unknown as Record<string, unknown>
  } catch {
    return {}
  }
}

export async function loadAndDescribeGateway(container: MedusaContainer, gateway: GatewayId): Promise<DescribedGateway> {
  const saved = await savedSettingsNow(container, gateway)
  return describeGateway(container, gateway, saved)
}
