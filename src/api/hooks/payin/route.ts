import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { handlePayInWebhook } from "./payin-webhook"

/**
 * POST /hooks/payin — PayIn webhooks for the store's PayIn registrations together: a
 * delivery belongs to the registration whose webhook secret signed it. See payin-webhook.ts.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => handlePayInWebhook(req, res)
