import type { MedusaContainer } from "@medusajs/framework/types"
import { Modules } from "@medusajs/framework/utils"
import type { PayInProviderService } from "../../providers/payin/service"
import type { SecPaidProviderService } from "../../providers/secpaid/service"
import type { GatewayId } from "./models/webhook-event"

/** The registered provider of each gateway, with its public accessors. */
export type GatewayProviders = {
  secpaid: SecPaidProviderService
  payin: PayInProviderService
}

/** A provider of this plugin for `gateway`: its class's identifier (`secpaid`/`payin`) and the settings runtime. */
function isGatewayProvider<G extends GatewayId>(provider: unknown, gateway: G): provider is GatewayProviders[G] {
  if (!provider || typeof provider !== "object") return false
  const identifier = (provider.constructor as { identifier?: unknown } | undefined)?.identifier
  return identifier === gateway && typeof (provider as { gatewayRuntime?: unknown }).gatewayRuntime === "function"
}

/** What `registeredPaymentProvider` needs from the payment module of @medusajs/payment 2.21. */
type PaymentModuleInternals = { paymentProviderService_?: { retrieveProvider?(id: string): unknown } }

/**
 * The provider instance the payment module registered as `providerId`, or undefined
 * when there is none. The plugin's only use of Medusa internals, kept in this one
 * function and checked against the booted payment module by
 * integration-tests/http/payment-provider-lookup.spec.ts.
 */
export function registeredPaymentProvider(container: MedusaContainer, providerId: string): unknown {
  // Medusa 2.21 has no public way to reach a provider instance from outside the payment module; its own PaymentProviderService does this lookup.
  const lookup = (container.resolve(Modules.PAYMENT) as unknown as PaymentModuleInternals).paymentProviderService_
  if (typeof lookup?.retrieveProvider !== "function") {
    throw new Error(
      "The payment module no longer has paymentProviderService_.retrieveProvider, which this plugin uses to reach its providers; update the plugin for this Medusa version."
    )
  }
  try {
    return lookup.retrieveProvider(providerId) ?? undefined
  } catch {
    // Not registered (Medusa throws an AwilixResolutionError wrapped in a MedusaError).
    return undefined
  }
}

/**
 * The registered provider of `gateway` registered as `providerId` (`pp_secpaid_eu`; see
 * gateway-registry.ts for finding registrations), or undefined when the shop did not
 * register it. Its accessors (`gatewayRuntime()`, `gatewayClient()`, `webhookSecret()`,
 * `webhookEncryptionKey()`) load the settings saved in the admin on every call.
 */
export function resolveGatewayProvider<G extends GatewayId>(container: MedusaContainer, gateway: G, providerId: string): GatewayProviders[G] | undefined {
  const provider = registeredPaymentProvider(container, providerId)
  return isGatewayProvider(provider, gateway) ? provider : undefined
}

/** The provider of a registration, or an error saying which provider is missing and what to do. */
export function requireGatewayProvider<G extends GatewayId>(container: MedusaContainer, registration: { gateway: G; providerId: string }): GatewayProviders[G] {
  const provider = resolveGatewayProvider(container, registration.gateway, registration.providerId)
  if (!provider) {
    throw new Error(
      `The ${registration.gateway} payment provider ${registration.providerId} is not registered in this store's payment module; add it to medusa-config.ts (or retry the event from the admin once it is).`
    )
  }
  return provider
}
