import { Modules } from "@medusajs/framework/utils"
import { findGatewayRegistration, forgetGatewayRegistrations, listGatewayRegistrations, registrationOfStoredRow, REGISTRY_MAX_AGE_MS } from "../gateway-registry"

function storeWith(providers: Array<{ id: string; is_enabled?: boolean }>, configModule?: unknown) {
  const paymentModule = { calls: 0, listPaymentProviders: async () => (paymentModule.calls++, providers) }
  const resolve = <T>(key: string) => (key === Modules.PAYMENT ? paymentModule : key === "configModule" ? configModule : undefined) as T
  return { paymentModule, container: { resolve } }
}

beforeEach(() => forgetGatewayRegistrations())

describe("registry of the store's gateway providers", () => {
  it("lists the plugin's registrations under any id, several per gateway, and leaves other providers out", async () => {
    const { container } = storeWith([
      { id: "pp_system_default" },
      { id: "pp_secpaid_marketplace", is_enabled: true },
      { id: "pp_stripe_stripe" },
      { id: "pp_payin_crypto", is_enabled: false },
      { id: "pp_secpaid_eu" },
    ])
    expect(await listGatewayRegistrations(container)).toEqual([
      { gateway: "payin", registrationId: "crypto", providerId: "pp_payin_crypto", enabled: false },
      { gateway: "secpaid", registrationId: "eu", providerId: "pp_secpaid_eu", enabled: true },
      { gateway: "secpaid", registrationId: "marketplace", providerId: "pp_secpaid_marketplace", enabled: true },
    ])
  })

  it("asks the payment module once per minute, not once per request", async () => {
    const { container, paymentModule } = storeWith([{ id: "pp_secpaid_eu" }])
    const t0 = 1_000_000
    await listGatewayRegistrations(container, t0)
    await listGatewayRegistrations(container, t0 + REGISTRY_MAX_AGE_MS - 1)
    expect(paymentModule.calls).toBe(1)
    await listGatewayRegistrations(container, t0 + REGISTRY_MAX_AGE_MS)
    expect(paymentModule.calls).toBe(2)
  })

  it("resolves a named registration, and refuses a name the store does not have", async () => {
    const { container } = storeWith([{ id: "pp_secpaid_eu" }, { id: "pp_secpaid_marketplace" }])
    expect(await findGatewayRegistration(container, "secpaid", "marketplace")).toMatchObject({ ok: true, registration: { providerId: "pp_secpaid_marketplace" } })
    expect(await findGatewayRegistration(container, "secpaid", "us")).toMatchObject({ ok: false, reason: "unknown" })
    expect(await findGatewayRegistration(container, "payin", "eu")).toMatchObject({ ok: false, reason: "unknown" })
  })

  it("lets the bare gateway URL stand for the only registration, and says what to do when there are several", async () => {
    const single = storeWith([{ id: "pp_payin_crypto" }])
    expect(await findGatewayRegistration(single.container, "payin")).toMatchObject({ ok: true, registration: { registrationId: "crypto" } })
    forgetGatewayRegistrations()
    const two = storeWith([{ id: "pp_secpaid_eu" }, { id: "pp_secpaid_marketplace" }])
    const lookup = await findGatewayRegistration(two.container, "secpaid")
    expect(lookup).toMatchObject({ ok: false, reason: "ambiguous" })
    expect(!lookup.ok && lookup.message).toBe("This store registers secpaid 2 times (eu, marketplace); send to /hooks/secpaid/<registration id>.")
    expect(await findGatewayRegistration(two.container, "payin")).toMatchObject({ ok: false, reason: "none" })
  })
})

describe("registration of a stored row", () => {
  it("takes the row's own registration, and the only one for rows written before registrations were recorded", async () => {
    const { container } = storeWith([{ id: "pp_secpaid_eu" }, { id: "pp_secpaid_marketplace" }, { id: "pp_payin_crypto" }])
    expect(await registrationOfStoredRow(container, "secpaid", "pp_secpaid_marketplace", "Event e1")).toEqual({
      gateway: "secpaid",
      registrationId: "marketplace",
      providerId: "pp_secpaid_marketplace",
    })
    expect(await registrationOfStoredRow(container, "payin", null, "Event e2")).toEqual({ gateway: "payin", registrationId: "crypto", providerId: "pp_payin_crypto" })
  })

  it("never guesses between several registrations, and says which exist and what to do", async () => {
    const { container } = storeWith([{ id: "pp_secpaid_eu" }, { id: "pp_secpaid_marketplace" }])
    await expect(registrationOfStoredRow(container, "secpaid", null, "Event e1")).rejects.toThrow(
      "Event e1 was stored before this store recorded registrations and secpaid is now registered several times (pp_secpaid_eu, pp_secpaid_marketplace), so which one it belongs to is not guessed; retry it from the admin once only the registration it belongs to remains."
    )
    await expect(registrationOfStoredRow(container, "payin", null, "Event e2")).rejects.toThrow(/no payin payment provider registered/)
    await expect(registrationOfStoredRow(container, "payin", "pp_secpaid_eu", "Event e3")).rejects.toThrow(/not a payin provider/)
  })

  it("leaves a registration removed from medusa-config (disabled) out of the bare URL's choice", async () => {
    const { container } = storeWith([{ id: "pp_payin_payin", is_enabled: false }, { id: "pp_payin_crypto" }])
    expect(await findGatewayRegistration(container, "payin")).toMatchObject({ ok: true, registration: { providerId: "pp_payin_crypto" } })
    expect(await findGatewayRegistration(container, "payin", "payin")).toMatchObject({ ok: false, reason: "unknown" })
  })

  it("counts a provider medusa-config no longer declares as gone, although Medusa keeps its row enabled", async () => {
    const configModule = {
      modules: {
        payment: {
          options: {
            providers: [
              { resolve: "medusa-payment-secpaid-payin/providers/secpaid", id: "eu", options: {} },
              { resolve: "medusa-payment-secpaid-payin/providers/payin", id: "crypto", options: {} },
            ],
          },
        },
      },
    }
    const { container } = storeWith([{ id: "pp_secpaid_secpaid", is_enabled: true }, { id: "pp_secpaid_eu" }, { id: "pp_payin_crypto" }], configModule)
    expect((await listGatewayRegistrations(container)).map((r) => [r.providerId, r.enabled])).toEqual([
      ["pp_payin_crypto", true],
      ["pp_secpaid_eu", true],
      ["pp_secpaid_secpaid", false],
    ])
    expect(await findGatewayRegistration(container, "secpaid")).toMatchObject({ ok: true, registration: { providerId: "pp_secpaid_eu" } })
  })
})
