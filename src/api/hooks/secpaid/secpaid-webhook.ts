import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { Modules } from "@medusajs/framework/utils"
import { resolveGatewayProvider } from "../../../modules/payment-gateways/gateway-providers"
import type { RegisteredGateway } from "../../../modules/payment-gateways/gateway-registry"
import { PAYMENT_GATEWAYS_MODULE_KEY, receiveWebhook, type WebhookDecision } from "../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../modules/payment-gateways/service"
import { isSecPaidErrorNotification, parseSecPaidWebhook, type ParsedSecPaidWebhook } from "../../../providers/secpaid/parse-webhook"
import { webhookRegistrations } from "../webhook-registrations"

/**
 * POST /hooks/secpaid/<registration id> — the link's "Payment Endpoint" (SecPaid option
 * `paymentEndpoint`; by default the provider puts its own registration's URL on every
 * link). POST /hooks/secpaid stands for the store's SecPaid registrations together.
 *
 * SecPaid signs nothing and never retries, so the body is only a claim, and anyone can
 * send one. What a claim costs is therefore decided here, before anything is spent:
 *  - a claim naming a link this store never issued (no payment session, current or
 *    replaced, was given that pay_id) is answered 200 and only counted in the delivery
 *    log: no SecPaid call, no inbox event;
 *  - a notification whose ResponseCode reports an error is answered 200 and not processed;
 *  - a claim for an issued link is stored at once (so it is never lost) and verified
 *    with getPayInTransactions during processing, whatever state its session is in, by
 *    the registration that issued the link (its own API key): the issued reference
 *    names it, whichever URL the claim came to.
 * An encrypted body is decrypted with the key of the registration the URL names, or for
 * the bare URL with each registration's key in turn. SecPaid sends no event id;
 * `<pay_id>:<status>` stands in for one. A forged claim cannot swallow the genuine one:
 * a delivery arriving while the same claim is being verified is processed after it if
 * that verification comes to nothing.
 */

/**
 * A SecPaid notification is a handful of fields (a few hundred bytes, under 1 KB when
 * encrypted): 16 KB leaves ample room, and a larger post is refused unread.
 */
export const SECPAID_WEBHOOK_BODY_LIMIT_BYTES = 16 * 1024

type Keyed = { providerId: string; encryptionKey: string | undefined }

async function encryptionKeyOf(req: MedusaRequest, providerId: string): Promise<string | undefined> {
  return await resolveGatewayProvider(req.scope, "secpaid", providerId)?.webhookEncryptionKey()
}

/** The first of the registrations' keys that reads the body (the bare URL tries each in turn). */
function parseWithAny(rawBody: Buffer, keyed: Keyed[]): { parsed: ParsedSecPaidWebhook; by: Keyed } {
  let first: { parsed: ParsedSecPaidWebhook; by: Keyed } | undefined
  for (const by of keyed) {
    const parsed = parseSecPaidWebhook({ rawData: rawBody, encryptionKey: by.encryptionKey })
    if (parsed.ok) return { parsed, by }
    first ??= { parsed, by }
  }
  return first!
}

/**
 * The registration that issued a link: recorded with the reference; for links issued
 * before registrations were recorded, the provider of the session it was issued for.
 */
async function issuerOf(req: MedusaRequest, issued: { sessionId: string; providerId: string | null }): Promise<string | undefined> {
  if (issued.providerId) return issued.providerId
  const [session] = await req.scope.resolve(Modules.PAYMENT).listPaymentSessions({ id: issued.sessionId }, { select: ["id", "provider_id"] })
  return session?.provider_id
}

/** The shared handler of both SecPaid webhook routes; `registrationId` undefined for the bare URL. */
export async function handleSecPaidWebhook(req: MedusaRequest, res: MedusaResponse, registrationId?: string): Promise<void> {
  const registrations: RegisteredGateway[] | undefined = await webhookRegistrations(req, res, "secpaid", registrationId)
  if (!registrations) return
  const keyed: Keyed[] = await Promise.all(registrations.map(async (r) => ({ providerId: r.providerId, encryptionKey: await encryptionKeyOf(req, r.providerId) })))
  const named = registrationId === undefined ? undefined : registrations[0].providerId
  const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const answer = await receiveWebhook({
    container: req.scope,
    gateway: "secpaid",
    providerId: named,
    req,
    secrets: keyed.map((k) => k.encryptionKey),
    bodyLimitBytes: SECPAID_WEBHOOK_BODY_LIMIT_BYTES,
    async accept(rawBody): Promise<WebhookDecision> {
      const { parsed, by } = parseWithAny(rawBody, keyed)
      if (!parsed.ok) return { ok: false, status: 400, verdict: "parse_error", detail: `Not a SecPaid webhook: ${parsed.reason}.` }
      const { payId, status } = parsed.claim
      if (isSecPaidErrorNotification(parsed.claim)) {
        return { ok: false, status: 200, verdict: "ignored_error_notification", detail: `ResponseCode ${parsed.claim.responseCode} reports an error, not a payment; not processed.` }
      }
      const issued = await inbox.findIssuedReference("secpaid", payId)
      if (!issued) {
        return { ok: false, status: 200, verdict: "ignored_unknown_link", detail: `Link ${payId} was not issued by this store; nothing to verify.` }
      }
      const providerId = (await issuerOf(req, issued)) ?? by.providerId
      if (providerId !== by.providerId) {
        // The link belongs to another registration than the URL's: its own key must read the body too.
        const own = parseSecPaidWebhook({ rawData: rawBody, encryptionKey: keyed.find((k) => k.providerId === providerId)?.encryptionKey ?? (await encryptionKeyOf(req, providerId)) })
        if (!own.ok) {
          return { ok: false, status: 400, verdict: "parse_error", detail: `Link ${payId} was issued by ${providerId}, whose settings do not read this body: ${own.reason}.`, providerId }
        }
      }
      return {
        ok: true,
        providerId,
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
