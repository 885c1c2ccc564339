import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { adminRegistrations, describeEncryption, loadAndDescribeGateway } from "./describe-settings"

/**
 * GET /admin/payment-gateways/settings — the effective settings of every provider
 * registration of SecPaid and PayIn the store has (one entry per provider id), each
 * with its source (admin / medusa-config / default), secrets masked, the webhook URL
 * to register, and whether secrets can be stored encrypted on this server.
 */
export const GET = async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
  const registrations = await adminRegistrations(req.scope)
  const gateways = await Promise.all(registrations.map((r) => loadAndDescribeGateway(req.scope, r)))
  res.json({ encryption: describeEncryption(), gateways })
}
