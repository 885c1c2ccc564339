import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { resolveGatewayProvider } from "../../../modules/payment-gateways/gateway-providers"
import { PAYMENT_GATEWAYS_MODULE_KEY, receiveWebhook, type WebhookDecision } from "../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../modules/payment-gateways/service"
import { isSecPaidErrorNotification, parseSecPaidWebhook } from "../../../providers/secpaid/parse-webhook"

/**
 * POST /hooks/secpaid — the link's "Payment Endpoint" (SecPaid option `paymentEndpoint`).
 *
 * SecPaid signs nothing and never retries, so the body is only a claim, and anyone can
 * send one. What a claim costs is therefore decided here, before anything is spent:
 *  - a claim naming a link this store never issued (no payment session, current or
 *    replaced, was given that pay_id) is answered 200 and only counted in the delivery
 *    log: no SecPaid call, no inbox event;
 *  - a notification whose ResponseCode reports an error is answered 200 and not processed;
 *  - a claim for an issued link is stored at once (so it is never lost) and verified
 *    with getPayInTransactions during processing, whatever state its session is in.
 * SecPaid sends no event id; `<pay_id>:<status>` stands in for one. A forged claim
 * cannot swallow the genuine one: a delivery arriving while the same claim is being
 * verified is processed after it if that verification comes to nothing.
 */
/**
 * A SecPaid notification is a handful of fields (a few hundred bytes, under 1 KB when
 * encrypted): 16 KB leaves ample room, and a larger post is refused unread.
 */
export const SECPAID_WEBHOOK_BODY_LIMIT_BYTES = 16 * 1024

export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const provider = resolveGatewayProvider(req.scope, "secpaid")
  const encryptionKey = await provider?.webhookEncryptionKey()
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const answer = await receiveWebhook({
    container: req.scope,
    gateway: "secpaid",
    req,
    secrets: [encryptionKey],
    bodyLimitBytes: SECPAID_WEBHOOK_BODY_LIMIT_BYTES,
    async accept(rawBody): Promise<WebhookDecision> {
      const parsed = parseSecPaidWebhook({ rawData: rawBody, encryptionKey })
      if (!parsed.ok) return { ok: false, status: 400, verdict: "parse_error", detail: `Not a SecPaid webhook: ${parsed.reason}.` }
      const { payId, status } = parsed.claim
      if (isSecPaidErrorNotification(parsed.claim)) {
        return { ok: false, status: 200, verdict: "ignored_error_notification", detail: `ResponseCode ${parsed.claim.responseCode} reports an error, not a payment; not processed.` }
      }
      const issued = await inbox.findIssuedReference("secpaid", payId)
      if (!issued) {
        return { ok: false, status: 200, verdict: "ignored_unknown_link", detail: `Link ${payId} was not issued by this store; nothing to verify.` }
      }
      return {
        ok: true,
        eventId: `${payId}:${status}`,
        eventType: status,
        reference: payId,
        sessionId: issued.sessionId,
        reverifyRepeatedClaims: true,
      }
    },
  })
  res.status(answer.status).json(answer.body)
  if (answer.afterAnswer) void answer.afterAnswer()
}
