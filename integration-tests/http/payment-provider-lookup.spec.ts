import { medusaSuite } from "../helpers/medusa-runner"
import { Modules } from "@medusajs/framework/utils"
import { registeredPaymentProvider, resolveGatewayProvider } from "../../src/modules/payment-gateways/gateway-providers"

/** The registrations of the repository's default test store (medusa-config.ts). */
const PROVIDER_IDS = { secpaid: "pp_secpaid_secpaid", payin: "pp_payin_payin" } as const

jest.setTimeout(120_000)

/**
 * The plugin's one use of Medusa internals: reaching a provider instance from outside
 * the payment module (gateway-providers.ts, `registeredPaymentProvider`). Checked here
 * against the payment module Medusa really boots, so that a Medusa upgrade renaming or
 * removing what it uses fails this test with a sentence saying so, instead of the
 * webhook, return and reconciliation routes quietly finding no provider.
 */
medusaSuite({
  testSuite: ({ getContainer }) => {
    it("reaches the registered SecPaid and PayIn providers through the booted payment module", async () => {
      const container = getContainer()
      const paymentModule = container.resolve(Modules.PAYMENT) as unknown as { paymentProviderService_?: { retrieveProvider?: unknown } }
      if (typeof paymentModule.paymentProviderService_?.retrieveProvider !== "function") {
        throw new Error(
          "Medusa's payment module no longer has paymentProviderService_.retrieveProvider: registeredPaymentProvider in src/modules/payment-gateways/gateway-providers.ts must be adapted to this Medusa version."
        )
      }
      for (const gateway of ["secpaid", "payin"] as const) {
        const provider = resolveGatewayProvider(container, gateway, PROVIDER_IDS[gateway])
        if (!provider) {
          throw new Error(
            `registeredPaymentProvider did not return the ${gateway} provider ${PROVIDER_IDS[gateway]} registered in medusa-config.ts: Medusa changed how the payment module holds its providers; adapt src/modules/payment-gateways/gateway-providers.ts.`
          )
        }
        // The instance Medusa itself calls, not a look-alike: its runtime answers with the effective options.
        const runtime = await provider.gatewayRuntime()
        expect(runtime.enabled).toBe(true)
        expect(typeof runtime.options.apiKey).toBe("string")
      }
    })

    it("answers undefined, not an error, for a provider id the store did not register", () => {
      expect(registeredPaymentProvider(getContainer(), "pp_secpaid_not_registered")).toBeUndefined()
    })
  },
})
