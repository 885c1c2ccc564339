import { medusaSuite } from "../helpers/medusa-runner"
import { adminHeaders, seedStore, storeHeaders, type StoreFixture } from "../helpers/store-fixture"
import { createCartReadyForPayment } from "../helpers/checkout"
import { seedDemoStore } from "../../dev/demo-store"

jest.setTimeout(120_000)

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let fixture: StoreFixture

    beforeEach(async () => {
      fixture = await seedStore(getContainer())
    })

    it("registers both providers and offers each in its region", async () => {
      const headers = await adminHeaders(api, getContainer())
      const { data } = await api.get("/admin/payments/payment-providers?limit=50", headers)
      expect(data.payment_providers.map((p: { id: string }) => p.id)).toEqual(
        expect.arrayContaining(["pp_secpaid_secpaid", "pp_payin_payin", "pp_system_default"])
      )

      const eur = await api.get(`/store/payment-providers?region_id=${fixture.regions.eur.id}`, storeHeaders(fixture))
      expect(eur.data.payment_providers.map((p: { id: string }) => p.id)).toContain("pp_secpaid_secpaid")
      const usd = await api.get(`/store/payment-providers?region_id=${fixture.regions.usd.id}`, storeHeaders(fixture))
      expect(usd.data.payment_providers.map((p: { id: string }) => p.id)).toContain("pp_payin_payin")
    })

    it("seeds idempotently: a second run creates nothing new", async () => {
      const again = await seedDemoStore(getContainer())
      expect(again).toEqual(fixture)
    })

    it("prices carts exactly: EUR 25.50 + 4.50 shipping = 30, USD 27.25 + 5.00 = 32.25", async () => {
      const eurCart = await createCartReadyForPayment(api, fixture, { currency: "eur" })
      expect(eurCart.total).toBe(30)
      const usdCart = await createCartReadyForPayment(api, fixture, { currency: "usd", quantity: 2 })
      expect(usdCart.total).toBe(59.5)
    })

    it("refuses store calls without the publishable key", async () => {
      const res = await api.get("/store/products", { validateStatus: () => true })
      expect(res.status).toBe(400)
    })
  },
})
