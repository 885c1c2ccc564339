import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { handleSecPaidReturn, secPaidSessionIdSchema } from "../../../../../providers/secpaid/browser-return"

/**
 * GET /hooks/secpaid/return/:session_id — where SecPaid sends the customer's
 * browser after the hosted payment page. Verification and the decision live in
 * providers/secpaid/browser-return.ts; this route only speaks HTTP.
 */
export const GET = async (req: MedusaRequest, res: MedusaResponse) => {
  const sessionId = secPaidSessionIdSchema.safeParse(req.params.session_id)
  res.setHeader("Cache-Control", "no-store")
  res.setHeader("Referrer-Policy", "no-referrer")
  if (!sessionId.success) {
    res.status(400).type("text/plain").send("This payment return link is not valid; go back to the shop and try again.")
    return
  }
  // Anyone can open this URL: the middleware runs it as anonymous work (last in SecPaid's
  // budget, answered from a recent verdict where possible, bounded per source address).
  const result = await handleSecPaidReturn(req.scope, { sessionId: sessionId.data, originalUrl: req.originalUrl })
  if (result.kind === "redirect") {
    res.redirect(303, result.location)
    return
  }
  res.status(result.httpStatus).type("html").send(result.html)
}
