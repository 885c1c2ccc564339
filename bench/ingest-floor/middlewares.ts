import type { MiddlewaresConfig } from "@medusajs/framework/http"

/** The floor route reads its own raw bytes, like the plugin's webhook routes (see route.ts). */
const config: MiddlewaresConfig = {
  routes: [{ matcher: "/bench/ingest-floor", methods: ["POST"], bodyParser: false }],
}
export default config
