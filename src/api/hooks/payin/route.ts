import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { resolveGatewayProvider } from "../../../modules/payment-gateways/gateway-providers"
import { receiveWebhook, type RejectedWebhook, type WebhookDecision } from "../../../modules/payment-gateways/receive-webhook"
import { parsePayInWebhook } from "../../../providers/payin/parse-webhook"
import { readPayInSignatureHeader, screenPayInSignatureHeader, verifyPayInSignature, type PayInSignatureVerdict } from "../../../providers/payin/verify-signature"

/**
 * POST /hooks/payin — the URL to register in PayIn (Settings → Webhooks).
 *
 * The signature is checked here, synchronously, in either of PayIn's two documented
 * forms (`t=<seconds>,v1=<hex>` or the plain hex HMAC of the body): a forged, unsigned
 * or replayed delivery gets 401 and nothing processable is stored (PayIn does not
 * retry 4xx, which is right for forgeries). A genuine event is stored in the inbox
 * before the 200 goes out; if it cannot be stored the answer is 503 so PayIn delivers again.
 */
const REJECTIONS: Record<Exclude<PayInSignatureVerdict, "ok">, RejectedWebhook> = {
  missing_signature: { ok: false, status: 401, verdict: "signature_missing", detail: "The delivery has no X-PayIn-Signature header." },
  malformed_signature: { ok: false, status: 401, verdict: "signature_malformed", detail: "The X-PayIn-Signature header is neither t=<seconds>,v1=<hex> nor a 64-digit hex HMAC-SHA256 of the body." },
  signature_mismatch: { ok: false, status: 401, verdict: "signature_mismatch", detail: "The signature does not match the body and the configured webhook secret." },
  timestamp_out_of_window: {
    ok: false,
    status: 401,
    verdict: "signature_replayed",
    detail: "The signature is genuine but its timestamp is outside the 5-minute window: a replay.",
  },
  no_secret_configured: {
    ok: false,
    status: 503,
    verdict: "no_secret_configured",
    detail: "No PayIn webhook secret is configured on this store; set the PayIn provider option webhookSecret.",
  },
}

export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const provider = resolveGatewayProvider(req.scope, "payin")
  const secret = await provider?.webhookSecret()
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const answer = await receiveWebhook({
    container: req.scope,
    gateway: "payin",
    req,
    secrets: [secret],
    screen(headers) {
      const verdict = screenPayInSignatureHeader(readPayInSignatureHeader(headers), secret)
      return verdict ? REJECTIONS[verdict] : undefined
    },
    accept(rawBody, headers): WebhookDecision {
      const verification = verifyPayInSignature(rawBody, readPayInSignatureHeader(headers), secret)
      if (verification.verdict !== "ok") return REJECTIONS[verification.verdict]
      const parsed = parsePayInWebhook(rawBody, headers)
      if (!parsed.ok) return { ok: false, status: 400, verdict: "parse_error", detail: `Signed, but not a PayIn event: ${parsed.reason}.` }
      const event = parsed.event
      const eventId = event.id ?? (event.orderId ? `${event.orderId}:${event.type}` : undefined)
      if (!eventId) return { ok: false, status: 400, verdict: "parse_error", detail: "The event has neither an id nor an order id." }
      // Which form this PayIn account signs with matters when debugging: the plain form has no replay window.
      logger.debug(`PayIn webhook ${eventId} (${event.type}) carries a valid ${verification.form} signature.`)
      return { ok: true, eventId, eventType: event.type, reference: event.orderId }
    },
  })
  res.status(answer.status).json(answer.body)
  if (answer.afterAnswer) void answer.afterAnswer()
}
