import type PaymentGatewaysModuleService from "./service"

/**
 * The plugin module's service of this process, for code that runs where Medusa's
 * container cannot hand it over: a payment provider lives in the payment module's
 * own container, which cannot resolve other modules. The service registers itself
 * when Medusa constructs it; a provider asks for it at call time (after boot) and
 * works without it (unit tests, a store that left the module out) where it can.
 */
let current: PaymentGatewaysModuleService | undefined

export function registerPaymentGatewaysModule(service: PaymentGatewaysModuleService): void {
  current = service
}

export function paymentGatewaysModule(): PaymentGatewaysModuleService | undefined {
  return current
}
