import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { handlePayInWebhook } from "../payin-webhook"

/**
 * POST /hooks/payin/<registration id> — PayIn webhooks of the registration
 * `{ id: "<registration id>" }` in medusa-config.ts (payment provider `pp_payin_<id>`),
 * checked against that registration's webhook secret; an id the store does not register
 * is answered 404. See payin-webhook.ts.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => handlePayInWebhook(req, res, req.params.registration)
