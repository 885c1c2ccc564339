import { medusaSuite } from "../integration-tests/helpers/medusa-runner"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { SandboxControl } from "../sandbox/control-client"
import { seedStore } from "../integration-tests/helpers/store-fixture"
import { listOrdersAsAdmin, retrieveOrderAsAdmin } from "./helpers/admin"
import { launchChromium, newShopper, saveScreenshot } from "./helpers/browser"
import { checkoutOnStorefront, useStorefrontBeforeMedusa } from "./helpers/storefront"

/**
 * PayIn with `placeOrderBeforeConfirmation`: the shopper comes back before the
 * transfer is confirmed, the return route places the order awaiting payment, the
 * storefront shows it as "waiting for confirmation" and keeps checking; PayIn's
 * webhook (Medusa's core route) then captures the payment and the page turns into
 * the confirmation. The option is read by medusa-config.ts at load, so it is set
 * for this file only.
 */
jest.setTimeout(180_000)

const storefront = useStorefrontBeforeMedusa({ PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION: "true" })

const payInOrderIdOf = (url: string) => decodeURIComponent(new URL(url).pathname.split("/").pop() ?? "")

medusaSuite({
  testSuite: ({ api, getContainer }) => {
    let browser: Browser
    let context: BrowserContext
    let page: Page
    const sandbox = () => new SandboxControl(process.env.SANDBOX_URL!)

    beforeAll(async () => {
      browser = await launchChromium()
    })
    afterAll(async () => {
      await browser?.close()
    })
    beforeEach(async () => {
      await sandbox().reset()
      await sandbox().payinSetWebhookEndpoints([{ url: `${process.env.MEDUSA_BACKEND_URL}/hooks/payment/payin_payin` }])
      const fixture = await seedStore(getContainer())
      storefront.usePublishableKey(fixture.publishableKey)
      const shopper = await newShopper(browser)
      context = shopper.context
      page = shopper.page
    })
    afterEach(async () => {
      await context?.close()
    })

    it("shows the order awaiting payment, then the confirmation once PayIn's webhook arrives", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "usd", providerId: "pp_payin_payin", email: "early@example.com" })
      await page.waitForURL(/\/payin\/pay\//)
      const payInOrderId = payInOrderIdOf(page.url())
      // The shopper has sent the coins from a wallet and returns before PayIn confirmed them.
      await page.locator("#cancel").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#payment-waiting").filter({ hasText: "Order placed" }).waitFor()
      const orderId = (await page.locator("#order-id").textContent())!.trim()
      const awaiting = await retrieveOrderAsAdmin(api, getContainer(), orderId)
      expect(awaiting).toMatchObject({ email: "early@example.com", total: 32.25, currency_code: "usd" })
      expect(awaiting.payment_status).not.toBe("captured")

      // The transfer confirms; PayIn calls the webhook and Medusa captures the payment.
      const { deliveries } = await sandbox().payinTransfer(payInOrderId, { amount: "32.25" })
      expect(deliveries.map((d) => d.status)).toEqual([200])

      await page.locator("#order-confirmed").waitFor()
      expect((await page.locator("#order-id").textContent())!.trim()).toBe(orderId)
      expect(await page.locator("#order-payment-status").textContent()).toBe("captured")
      await saveScreenshot(page, "payin-place-order-before-confirmation")

      const orders = await listOrdersAsAdmin(api, getContainer())
      expect(orders.map((o) => o.id)).toEqual([orderId])
      const paid = await retrieveOrderAsAdmin(api, getContainer(), orderId)
      expect(paid.payment_status).toBe("captured")
      expect(paid.payment_collections[0].payments).toEqual([
        expect.objectContaining({ provider_id: "pp_payin_payin", amount: 32.25, captured_at: expect.any(String) }),
      ])
    })
  },
})
