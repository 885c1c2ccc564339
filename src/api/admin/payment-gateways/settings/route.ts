import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { GATEWAY_IDS } from "../../../../lib/gateway-settings"
import { describeEncryption, loadAndDescribeGateway } from "./describe-settings"

/**
 * GET /admin/payment-gateways/settings — both gateways' effective settings, each
 * with its source (admin / medusa-config / default), secrets masked, the webhook URL
 * to register, and whether secrets can be stored encrypted on this server.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const gateways = await Promise.all(GATEWAY_IDS.map((g) => loadAndDescribeGateway(req.scope, g)))
  res.json({ encryption: describeEncryption(), gateways })
}
