import type { Page } from "playwright-core"
import { startStorefront, type RunningStorefront } from "../../dev/storefront/server"

/**
 * Starts the demo storefront before the Medusa test app boots, so that the app's
 * config (read once, at load) already points the providers' return URL, the
 * allowed origins and the Store CORS at this storefront's random port.
 *
 * Call it at the top level of a spec, outside medusaIntegrationTestRunner: jest
 * runs top-level beforeAll hooks before the runner's own (which loads medusa-config).
 */
export function useStorefrontBeforeMedusa(env: Record<string, string> = {}) {
  let storefront: RunningStorefront | undefined
  let publishableKey = ""
  const previous: Record<string, string | undefined> = {}

  beforeAll(async () => {
    const backendUrl = process.env.MEDUSA_BACKEND_URL
    if (!backendUrl) throw new Error("MEDUSA_BACKEND_URL is not set; run e2e tests through jest's e2e project (its globalSetup sets it).")
    storefront = await startStorefront({ port: 0, backendUrl, publishableKey: () => publishableKey })
    const settings = {
      STOREFRONT_RETURN_URL: storefront.returnUrl,
      STOREFRONT_ORIGINS: storefront.url,
      STORE_CORS: storefront.url,
      ...env,
    }
    for (const [key, value] of Object.entries(settings)) {
      previous[key] = process.env[key]
      process.env[key] = value
    }
  })

  afterAll(async () => {
    for (const [key, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[key]
      else process.env[key] = value
    }
    await storefront?.close()
  })

  return {
    get url(): string {
      if (!storefront) throw new Error("The storefront is not started yet (use it inside tests or hooks).")
      return storefront.url
    },
    /** The seed creates a new key for every test (the runner restores the database between tests). */
    usePublishableKey(key: string) {
      publishableKey = key
    },
  }
}

/**
 * Waits for `selector`; if the storefront shows its error box first, fails with
 * that message instead of a bare timeout.
 */
export async function expectStep(page: Page, selector: string, timeout?: number) {
  const wanted = page.locator(selector).first()
  const error = page.locator("#error:not([hidden])")
  await wanted.or(error).first().waitFor({ timeout })
  if (!(await wanted.isVisible()) && (await error.isVisible())) {
    throw new Error(`The storefront showed an error instead of ${selector}: ${await error.textContent()}`)
  }
}

/** What the shopper does on the demo storefront up to the gateway's page. */
export async function checkoutOnStorefront(
  page: Page,
  storefrontUrl: string,
  choice: { currency: "eur" | "usd"; providerId: string; coin?: string; email?: string }
) {
  await page.goto(storefrontUrl)
  await page.locator(`#region-${choice.currency}`).check()
  await page.locator("#product-price").filter({ hasText: choice.currency === "eur" ? "€" : "$" }).waitFor()
  await page.locator("#add-to-cart").click()
  await expectStep(page, "#checkout-form")
  await page.locator("#email").fill(choice.email ?? "shopper@example.com")
  await page.locator(`input[name=provider][value="${choice.providerId}"]`).check()
  if (choice.coin) await page.locator(`select[id="coin-${choice.providerId}"]`).selectOption(choice.coin)
  await page.locator("#pay").click()
  // Either the browser leaves for the gateway, or the storefront says why not.
  await page.waitForURL((url) => !url.href.startsWith(storefrontUrl)).catch(async (timeout) => {
    const error = page.locator("#error:not([hidden])")
    if (await error.isVisible()) throw new Error(`The storefront showed an error instead of leaving for the gateway: ${await error.textContent()}`)
    throw timeout
  })
}
