import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { handleSecPaidWebhook } from "./secpaid-webhook"

/**
 * POST /hooks/secpaid — SecPaid webhooks for the store's SecPaid registrations together
 * (links created before the provider put `/hooks/secpaid/<registration id>` on them, or
 * an explicit `paymentEndpoint`). Each claim is verified by the registration that issued
 * its link; see secpaid-webhook.ts.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => handleSecPaidWebhook(req, res)
