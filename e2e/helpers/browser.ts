import fs from "node:fs"
import path from "node:path"
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core"

/**
 * Debian's Chromium driven by playwright-core (`npx playwright install` cannot
 * download browsers here). CHROMIUM_PATH overrides the binary.
 */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium"

export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM_PATH)) {
    throw new Error(`No Chromium at ${CHROMIUM_PATH}; install the Debian package "chromium" (apt-get install chromium) or set CHROMIUM_PATH.`)
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  })
}

export const ARTIFACTS_DIR = path.resolve(__dirname, "..", "..", "artifacts", "e2e")

/** Keeps the page as the shopper last saw it: artifacts/e2e/<name>.png (git-ignored; CI uploads it). */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(ARTIFACTS_DIR, { recursive: true })
  const file = path.join(ARTIFACTS_DIR, `${name}.png`)
  await page.screenshot({ path: file, fullPage: true })
  return file
}

/**
 * A fresh shopper: own cookies and localStorage. Waits are generous because a
 * loaded CI machine can take seconds per Medusa workflow; nothing asserts timing.
 */
export async function newShopper(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext()
  context.setDefaultTimeout(60_000)
  context.setDefaultNavigationTimeout(60_000)
  return { context, page: await context.newPage() }
}
