import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { AdminConfigurableProvider } from "../../lib/gateway-settings"
import type { PayInProviderService } from "../../providers/payin/service"
import type { SecPaidProviderService } from "../../providers/secpaid/service"
import type { GatewayId } from "./models/webhook-event"

/**
 * Provider ids as the payment module registers them (`pp_<identifier>_<id>`) for the
 * registration ids the README documents (`id: "secpaid"`, `id: "payin"`).
 */
export const GATEWAY_PROVIDER_IDS: Record<GatewayId, string> = {
  secpaid: "pp_secpaid_secpaid",
  payin: "pp_payin_payin",
}

export function gatewayOfProvider(providerId: string): GatewayId | undefined {
  return (Object.keys(GATEWAY_PROVIDER_IDS) as GatewayId[]).find((g) => GATEWAY_PROVIDER_IDS[g] === providerId)
}

/** What a provider registered through `withAdminSettings` adds (src/lib/gateway-settings.ts). */
type AdminSettingsRefresh = Partial<AdminConfigurableProvider>

/** The registered provider of each gateway, with its public accessors. */
export type GatewayProviders = {
  secpaid: SecPaidProviderService & AdminSettingsRefresh
  payin: PayInProviderService & AdminSettingsRefresh
}

/**
 * The provider instance living inside the payment module's container. Read the
 * gateway client and webhook secrets through its public methods (`gatewayClient()`,
 * `webhookSecret()`, `webhookEncryptionKey()`); they return what the provider itself
 * uses, i.e. the effective settings as of its last refresh (see
 * `resolveRefreshedGatewayProvider` for "as saved now").
 *
 * COUPLING, on purpose and in one place: Medusa offers no public way to reach a
 * provider from outside the payment module, and plugin options do not reach routes
 * or jobs. The provider is looked up through `paymentProviderService_.retrieveProvider`
 * of PaymentModuleService in @medusajs/payment 2.21. If that internal name changes,
 * this function is the only thing to adapt.
 */
export function resolveGatewayProvider<G extends GatewayId>(container: MedusaContainer, gateway: G): GatewayProviders[G] | undefined {
  const paymentModule = container.resolve(Modules.PAYMENT) as unknown as {
    paymentProviderService_?: { retrieveProvider(id: string): unknown }
  }
  try {
    return paymentModule.paymentProviderService_?.retrieveProvider(GATEWAY_PROVIDER_IDS[gateway]) as GatewayProviders[G] | undefined
  } catch {
    return undefined
  }
}

/**
 * The provider after it loaded the settings saved in the admin: a save on this
 * instance is used at once, one on another instance within the settings cache age
 * (20 s), as for the browser-return routes. For code that reads the provider's
 * client or secrets outside a payment call (inbox processing, reconciliation).
 */
export async function resolveRefreshedGatewayProvider<G extends GatewayId>(
  container: MedusaContainer,
  gateway: G
): Promise<GatewayProviders[G] | undefined> {
  const provider = resolveGatewayProvider(container, gateway)
  await provider?.refreshGatewaySettings?.()
  return provider
}
