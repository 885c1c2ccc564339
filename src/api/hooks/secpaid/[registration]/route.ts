import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { handleSecPaidWebhook } from "../secpaid-webhook"

/**
 * POST /hooks/secpaid/<registration id> — SecPaid webhooks of the registration
 * `{ id: "<registration id>" }` in medusa-config.ts (payment provider `pp_secpaid_<id>`);
 * an id the store does not register is answered 404. See secpaid-webhook.ts.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => handleSecPaidWebhook(req, res, req.params.registration)
