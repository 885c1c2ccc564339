import { defineMiddlewares } from "@medusajs/framework/http"

/**
 * The webhook routes read their own raw bytes (bounded, 413 beyond the limit) so
 * that every delivery — also an unparseable or oversized one — reaches the route and
 * lands in the delivery log; Medusa's body parser would answer those itself.
 */
export default defineMiddlewares({
  routes: [
    { matcher: "/hooks/secpaid", methods: ["POST"], bodyParser: false },
    { matcher: "/hooks/payin", methods: ["POST"], bodyParser: false },
  ],
})
