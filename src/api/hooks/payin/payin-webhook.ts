import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { ContainerRegistrationKeys } from "@medusajs/framework/utils"
import { resolveGatewayProvider } from "../../../modules/payment-gateways/gateway-providers"
import { receiveWebhook, type RejectedWebhook, type WebhookDecision } from "../../../modules/payment-gateways/receive-webhook"
import { parsePayInWebhook } from "../../../providers/payin/parse-webhook"
import {
  readPayInSignatureHeader,
  screenPayInSignatureHeader,
  verifyPayInSignature,
  type PayInSignatureResult,
  type PayInSignatureVerdict,
} from "../../../providers/payin/verify-signature"
import { webhookRegistrations } from "../webhook-registrations"

/**
 * POST /hooks/payin/<registration id> — the URL to register in PayIn (Settings →
 * Webhooks) for the registration `{ id: "<registration id>" }`. POST /hooks/payin
 * stands for every PayIn registration of the store: the delivery belongs to the one
 * whose webhook secret signed it (each secret checked in constant time), so the URL
 * configured before a second PayIn account was added keeps working.
 *
 * The signature is checked here, synchronously, in either of PayIn's two documented
 * forms (`t=<seconds>,v1=<hex>` or the plain hex HMAC of the body): a forged, unsigned
 * or replayed delivery gets 401 and nothing processable is stored (PayIn does not
 * retry 4xx, which is right for forgeries). A genuine event is stored in the inbox,
 * with its registration, before the 200 goes out; if it cannot be stored the answer is
 * 503 so PayIn delivers again.
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

/** How bad a verdict is as the answer for several secrets: a replay of a genuine signature says more than a mismatch. */
const VERDICT_RANK: Array<Exclude<PayInSignatureVerdict, "ok">> = ["timestamp_out_of_window", "signature_mismatch", "malformed_signature", "missing_signature", "no_secret_configured"]

type Signer = { providerId: string; secret: string | undefined }

/** The registration whose secret signed the body (every secret is tried, in constant time each), or the most telling refusal. */
export function signerOf(rawBody: Buffer, header: string | undefined, signers: Signer[]): { signer: Signer; result: PayInSignatureResult & { verdict: "ok" } } | { refusal: Exclude<PayInSignatureVerdict, "ok"> } {
  let refusal: Exclude<PayInSignatureVerdict, "ok"> = "no_secret_configured"
  for (const signer of signers) {
    const result = verifyPayInSignature(rawBody, header, signer.secret)
    if (result.verdict === "ok") return { signer, result: result as PayInSignatureResult & { verdict: "ok" } }
    if (VERDICT_RANK.indexOf(result.verdict) < VERDICT_RANK.indexOf(refusal)) refusal = result.verdict
  }
  return { refusal }
}

/** The shared handler of both PayIn webhook routes; `registrationId` undefined for the bare URL. */
export async function handlePayInWebhook(req: MedusaRequest, res: MedusaResponse, registrationId?: string): Promise<void> {
  const registrations = await webhookRegistrations(req, res, "payin", registrationId)
  if (!registrations) return
  const signers: Signer[] = await Promise.all(
    registrations.map(async (r) => ({ providerId: r.providerId, secret: await resolveGatewayProvider(req.scope, "payin", r.providerId)?.webhookSecret() }))
  )
  const anySecret = signers.find((s) => s.secret)?.secret
  const logger = req.scope.resolve(ContainerRegistrationKeys.LOGGER)
  const answer = await receiveWebhook({
    container: req.scope,
    gateway: "payin",
    providerId: registrationId === undefined ? undefined : registrations[0].providerId,
    req,
    secrets: signers.map((s) => s.secret),
    screen(headers) {
      // Only what the header alone decides, the same for every secret.
      const verdict = screenPayInSignatureHeader(readPayInSignatureHeader(headers), anySecret)
      return verdict ? REJECTIONS[verdict] : undefined
    },
    accept(rawBody, headers): WebhookDecision {
      const signed = signerOf(rawBody, readPayInSignatureHeader(headers), signers)
      if ("refusal" in signed) return REJECTIONS[signed.refusal]
      const { providerId } = signed.signer
      const parsed = parsePayInWebhook(rawBody, headers)
      if (!parsed.ok) return { ok: false, status: 400, verdict: "parse_error", detail: `Signed, but not a PayIn event: ${parsed.reason}.`, providerId }
      const event = parsed.event
      const eventId = event.id ?? (event.orderId ? `${event.orderId}:${event.type}` : undefined)
      if (!eventId) return { ok: false, status: 400, verdict: "parse_error", detail: "The event has neither an id nor an order id.", providerId }
      // Which form this PayIn account signs with matters when debugging: the plain form has no replay window.
      logger.debug(`PayIn webhook ${eventId} (${event.type}) for ${providerId} carries a valid ${signed.result.form} signature.`)
      return { ok: true, providerId, eventId, eventType: event.type, reference: event.orderId }
    },
  })
  res.status(answer.status).json(answer.body)
  if (answer.afterAnswer) void answer.afterAnswer()
}
