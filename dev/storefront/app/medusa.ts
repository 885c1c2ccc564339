import Medusa from "@medusajs/js-sdk"

/**
 * The one Medusa client of the storefront. The server that serves this page puts
 * the backend URL and the publishable API key into a JSON script tag (a Next.js
 * storefront would read NEXT_PUBLIC_MEDUSA_BACKEND_URL and
 * NEXT_PUBLIC_MEDUSA_PUBLISHABLE_KEY instead).
 */
export type StorefrontConfig = { backendUrl: string; publishableKey: string }

function readConfig(): StorefrontConfig {
  const text = document.getElementById("storefront-config")?.textContent ?? "{}"
  const config = JSON.parse(text) as Partial<StorefrontConfig>
  if (typeof config.backendUrl !== "string" || typeof config.publishableKey !== "string") {
    throw new Error("The page has no backend URL or publishable key; start it with startStorefront().")
  }
  return { backendUrl: config.backendUrl, publishableKey: config.publishableKey }
}

export const config = readConfig()

export const sdk = new Medusa({
  baseUrl: config.backendUrl,
  publishableKey: config.publishableKey,
})
