import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { medusaSuite } from "../integration-tests/helpers/medusa-runner"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { SandboxControl } from "../sandbox/control-client"
import { seedStore } from "../integration-tests/helpers/store-fixture"
import { launchChromium, newShopper, saveScreenshot } from "./helpers/browser"
import { listOrdersAsAdmin, retrieveOrderAsAdmin } from "./helpers/admin"
import { checkoutOnStorefront, useStorefrontBeforeMedusa } from "./helpers/storefront"

/**
 * A shopper in the EUR region pays with SecPaid on the demo storefront, in Chromium:
 * storefront → SecPaid's hosted page (sandbox) → the plugin's return route, which
 * verifies with SecPaid and places the order → the storefront's confirmation page.
 */
jest.setTimeout(180_000)

/** The hosted page's `link_id` is base64 of SecPaid's numeric pay_id. */
const payIdOf = (payLink: string) => Buffer.from(new URL(payLink).searchParams.get("link_id") ?? "", "base64").toString("utf8")

const storefront = useStorefrontBeforeMedusa()

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
      // The sandbox is shared by every suite of the run: start from its defaults (clock, links, orders).
      await sandbox().reset()
      const fixture = await seedStore(getContainer())
      storefront.usePublishableKey(fixture.publishableKey)
      const shopper = await newShopper(browser)
      context = shopper.context
      page = shopper.page
    })
    afterEach(async () => {
      await context?.close()
    })

    it("pays with SecPaid and shows the order the admin sees", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "eur", providerId: "pp_secpaid_secpaid", email: "pay@example.com" })

      await page.waitForURL(/\/secpaid\/payment\?link_id=/)
      await page.locator("#amount").filter({ hasText: "30.00" }).waitFor()
      await page.locator("#pay").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#order-confirmed").waitFor()
      const orderId = (await page.locator("#order-id").textContent())!.trim()
      expect(await page.locator("#order-total").textContent()).toBe("€30.00")
      await saveScreenshot(page, "secpaid-pay")

      const orders = await listOrdersAsAdmin(api, getContainer())
      expect(orders.map((o) => o.id)).toEqual([orderId])
      const order = await retrieveOrderAsAdmin(api, getContainer(), orderId)
      expect(order).toMatchObject({ email: "pay@example.com", total: 30, currency_code: "eur", payment_status: "captured" })
      expect(order.payment_collections[0].payments).toEqual([
        expect.objectContaining({ provider_id: "pp_secpaid_secpaid", amount: 30, captured_at: expect.any(String) }),
      ])
    })

    it("does not believe a typed-in return URL: status=paid without paying shows no order", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "eur", providerId: "pp_secpaid_secpaid" })
      await page.waitForURL(/\/secpaid\/payment\?link_id=/)
      const cartId = await page.evaluate(() => localStorage.getItem("demo_storefront_cart_id"))

      // The shopper (or anyone) skips the payment page and opens the return page with a forged outcome.
      await page.goto(`${storefront.url}/checkout/return?status=paid&cart_id=${cartId}&order_id=order_forged`)
      await page.locator("#payment-waiting").waitFor()
      expect(await page.locator("#order-confirmed").count()).toBe(0)
      await saveScreenshot(page, "secpaid-forged-return")
      expect(await listOrdersAsAdmin(api, getContainer())).toEqual([])
    })

    it("cancels on SecPaid's page, tries again with the same cart, then pays", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "eur", providerId: "pp_secpaid_secpaid", email: "retry@example.com" })
      await page.waitForURL(/\/secpaid\/payment\?link_id=/)
      const firstLink = page.url()
      await page.locator("#cancel").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#payment-canceled").waitFor()
      expect(await listOrdersAsAdmin(api, getContainer())).toEqual([])
      const cartId = await page.evaluate(() => localStorage.getItem("demo_storefront_cart_id"))

      await page.locator("#retry").click()
      await page.waitForURL(/\/secpaid\/payment\?link_id=/)
      const secondPayId = payIdOf(page.url())
      await page.locator("#pay").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#order-confirmed").waitFor()
      const orderId = (await page.locator("#order-id").textContent())!.trim()
      await saveScreenshot(page, "secpaid-cancel-retry-pay")

      const orders = await listOrdersAsAdmin(api, getContainer())
      expect(orders.map((o) => o.id)).toEqual([orderId])
      const order = await retrieveOrderAsAdmin(api, getContainer(), orderId)
      expect(order).toMatchObject({ email: "retry@example.com", total: 30, currency_code: "eur", payment_status: "captured" })

      // The retry made a new link for the same total; the cancelled one can never be paid (the
      // provider deletes a replaced session's link).
      const firstPayId = payIdOf(firstLink)
      expect(["Cancelled", "Deleted"]).toContain((await sandbox().secpaidLink(firstPayId)).status)
      expect(await sandbox().secpaidLink(secondPayId)).toMatchObject({ status: "Used", amount: "30.00" })
      expect(secondPayId).not.toBe(firstPayId)
      // …and the order was placed from the cart the shopper started with.
      const { data: placed } = await getContainer()
        .resolve(ContainerRegistrationKeys.QUERY)
        .graph({ entity: "order_cart", fields: ["order_id"], filters: { cart_id: cartId! } })
      expect(placed.map((row: { order_id: string }) => row.order_id)).toEqual([orderId])
    })
  },
})
