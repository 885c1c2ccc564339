import Medusa from "@medusajs/js-sdk"

/** The admin's own session (cookie) authenticates every call; the backend is the page's origin unless VITE_BACKEND_URL says otherwise. */
export const sdk = new Medusa({
  baseUrl: import.meta.env.VITE_BACKEND_URL || "/",
  debug: false,
  auth: { type: "session" },
})
