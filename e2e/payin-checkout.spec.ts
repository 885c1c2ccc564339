import { medusaSuite } from "../integration-tests/helpers/medusa-runner"
import type { Browser, BrowserContext, Page } from "playwright-core"
import { SandboxControl } from "../sandbox/control-client"
import { seedStore } from "../integration-tests/helpers/store-fixture"
import { listOrdersAsAdmin, retrieveOrderAsAdmin } from "./helpers/admin"
import { launchChromium, newShopper, saveScreenshot } from "./helpers/browser"
import { checkoutOnStorefront, useStorefrontBeforeMedusa } from "./helpers/storefront"

/**
 * A shopper in the USD region pays with PayIn on the demo storefront, in Chromium:
 * storefront (coin and chain) → PayIn's hosted page (sandbox) → the plugin's return
 * route → the storefront, which confirms with the Store API and polls while PayIn
 * has not confirmed the full amount.
 */
jest.setTimeout(180_000)

const storefront = useStorefrontBeforeMedusa({ PAYIN_PLACE_ORDER_BEFORE_CONFIRMATION: "false" })

/** The hosted page lives at /payin/pay/<PayIn order id>. */
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

    it("pays the full amount in USDT on Tron and shows the order the admin sees", async () => {
      await checkoutOnStorefront(page, storefront.url, {
        currency: "usd",
        providerId: "pp_payin_payin",
        coin: "USDT:tron-nile",
        email: "full@example.com",
      })

      await page.waitForURL(/\/payin\/pay\//)
      const payInOrderId = payInOrderIdOf(page.url())
      expect(await sandbox().payinOrder(payInOrderId)).toMatchObject({ amount: "32.25", token: "USDT", chain: "tron-nile" })
      await page.locator("#pay-full").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#order-confirmed").waitFor()
      const orderId = (await page.locator("#order-id").textContent())!.trim()
      expect(await page.locator("#order-total").textContent()).toBe("$32.25")
      await saveScreenshot(page, "payin-full-payment")

      const orders = await listOrdersAsAdmin(api, getContainer())
      expect(orders.map((o) => o.id)).toEqual([orderId])
      const order = await retrieveOrderAsAdmin(api, getContainer(), orderId)
      expect(order).toMatchObject({ email: "full@example.com", total: 32.25, currency_code: "usd", payment_status: "captured" })
      expect(order.payment_collections[0].payments).toEqual([
        expect.objectContaining({ provider_id: "pp_payin_payin", amount: 32.25, captured_at: expect.any(String) }),
      ])
    })

    it("waits while half is paid, then shows the order once the rest arrives", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "usd", providerId: "pp_payin_payin", email: "topup@example.com" })
      await page.waitForURL(/\/payin\/pay\//)
      const payInOrderId = payInOrderIdOf(page.url())
      await page.locator("#pay-half").click()
      await page.locator("#received").filter({ hasText: "16.125" }).waitFor()
      await page.locator("#cancel").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#payment-waiting").waitFor()
      expect(await listOrdersAsAdmin(api, getContainer())).toEqual([])

      // The second half arrives from the shopper's wallet; no webhook endpoint is configured,
      // so it is the storefront's own polling (cart.complete) that places the order.
      await sandbox().payinTransfer(payInOrderId, { amount: "16.125" })
      await page.locator("#order-confirmed").waitFor()
      const orderId = (await page.locator("#order-id").textContent())!.trim()
      expect(await page.locator("#order-total").textContent()).toBe("$32.25")
      await saveScreenshot(page, "payin-partial-then-topped-up")

      const orders = await listOrdersAsAdmin(api, getContainer())
      expect(orders.map((o) => o.id)).toEqual([orderId])
      expect(await retrieveOrderAsAdmin(api, getContainer(), orderId)).toMatchObject({ total: 32.25, payment_status: "captured" })
    })

    it("waits while half is paid, then shows the expiry and places no order", async () => {
      await checkoutOnStorefront(page, storefront.url, { currency: "usd", providerId: "pp_payin_payin", email: "partial@example.com" })

      await page.waitForURL(/\/payin\/pay\//)
      const payInOrderId = payInOrderIdOf(page.url())
      await page.locator("#pay-half").click()
      await page.locator("#received").filter({ hasText: "16.125" }).waitFor()
      // The shopper gives up waiting on PayIn's page and goes back to the shop.
      await page.locator("#cancel").click()

      await page.waitForURL(`${storefront.url}/checkout/return?**`)
      await page.locator("#payment-waiting").waitFor()
      await page.locator("#received").filter({ hasText: "16.125 of 32.25 USDC" }).waitFor()
      expect(await listOrdersAsAdmin(api, getContainer())).toEqual([])

      // The payment window and grace period pass (on the sandbox's clock).
      const payInOrder = await sandbox().payinOrder(payInOrderId)
      const { now } = await sandbox().clock()
      await sandbox().advanceClock(Math.ceil((Date.parse(payInOrder.grace_period_ends_at) - Date.parse(now)) / 1000) + 1)
      expect(await sandbox().payinOrder(payInOrderId)).toMatchObject({ status: "expired", confirmed_received: "16.125" })

      // The storefront keeps checking and now tells the shopper what happened.
      await page.locator("#payment-failed").waitFor()
      expect(await page.locator("#failure-reason").textContent()).toContain("16.125 of 32.25 USDC")
      await saveScreenshot(page, "payin-partial-then-expired")

      expect(await listOrdersAsAdmin(api, getContainer())).toEqual([])
    })
  },
})
