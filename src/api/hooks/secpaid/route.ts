import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { resolveGatewayProvider } from "../../../modules/payment-gateways/gateway-providers"
import { receiveWebhook, type WebhookDecision } from "../../../modules/payment-gateways/receive-webhook"
import { parseSecPaidWebhook } from "../../../providers/secpaid/parse-webhook"

/**
 * POST /hooks/secpaid — the link's "Payment Endpoint" (SecPaid option `paymentEndpoint`).
 *
 * SecPaid signs nothing and never retries, so the body is only a claim: it is stored
 * at once (so it is never lost) and verified with getPayInTransactions during
 * processing. SecPaid sends no event id; `<pay_id>:<status>` stands in for one, so a
 * repeated "success" for the same link is a duplicate.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const provider = resolveGatewayProvider(req.scope, "secpaid")
  const encryptionKey = provider?.webhookEncryptionKey()
  const answer = await receiveWebhook({
    container: req.scope,
    gateway: "secpaid",
    req,
    secrets: [encryptionKey],
    accept(rawBody): WebhookDecision {
      const parsed = parseSecPaidWebhook({ rawData: rawBody, encryptionKey })
      if (!parsed.ok) return { ok: false, status: 400, verdict: "parse_error", detail: `Not a SecPaid webhook: ${parsed.reason}.` }
      const { payId, status, rawStatus } = parsed.claim
      return { ok: true, eventId: `${payId}:${status}`, eventType: status === "unknown" ? rawStatus ?? "unknown" : status, reference: payId }
    },
  })
  res.status(answer.status).json(answer.body)
  if (answer.afterAnswer) void answer.afterAnswer()
}
