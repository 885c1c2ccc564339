import { createHash } from "node:crypto"
import type { IncomingMessage } from "node:http"
import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules } from "@medusajs/framework/utils"
import { redact } from "../../lib/redact"
import { DELIVERY_LOG_ROW_LIMITS, deliveryLogBodyExcerpt, deliveryLogHeaders, deliveryLogText } from "./delivery-log-row"
import type { DeliveryVerdict } from "./models/webhook-delivery"
import type { GatewayId } from "./models/webhook-event"
import type PaymentGatewaysModuleService from "./service"
import type { StoredWebhookEvent } from "./service"

/**
 * The transport half of the durable inbox, shared by the webhook routes
 * (`POST /hooks/secpaid[/<registration id>]`, `POST /hooks/payin[/<registration id>]`): read the raw bytes (bounded), let the gateway-specific
 * `accept` decide (signature, parse, event id), store the event BEFORE answering,
 * log the delivery (bounded: see `webhookDeliveryLog`), answer, and only then start processing.
 */

export const PAYMENT_GATEWAYS_MODULE_KEY = "paymentGateways"

/** Emitted after an event is stored (data: `{ id, gateway }`); the processing subscriber listens to it. */
export const WEBHOOK_EVENT_STORED = "payment_gateways.webhook_event.stored"

/** Gateway webhooks are a few hundred bytes; 64 KB leaves room for encrypted and verbose bodies (a route may set less). */
export const WEBHOOK_BODY_LIMIT_BYTES = 64 * 1024

export type AcceptedWebhook = {
  ok: true
  /** The registration the event is for (`pp_secpaid_eu`): processing asks that provider. */
  providerId: string
  eventId: string
  eventType?: string
  reference?: string
  /** The Medusa payment session the event is about, when the route already knows it. */
  sessionId?: string
  /** See `StoreWebhookEventInput.reverifyRepeatedClaims`: set by routes of unsigned webhooks. */
  reverifyRepeatedClaims?: boolean
}
export type RejectedWebhook = { ok: false; status: 400 | 401 | 503; verdict: DeliveryVerdict; detail: string; providerId?: string }
/**
 * Acknowledged (2xx) but neither stored nor processed, e.g. a SecPaid claim for a link
 * this store never issued. The answer is the same as for an accepted delivery, so it
 * tells the sender nothing about which references exist.
 */
export type IgnoredWebhook = { ok: false; status: 200; verdict: DeliveryVerdict; detail: string; providerId?: string }

export type WebhookDecision = AcceptedWebhook | RejectedWebhook | IgnoredWebhook

export type WebhookHttpAnswer = { status: number; body: Record<string, unknown> }

type RawBodyResult = { ok: true; body: Buffer } | { ok: false; bytes: number }

/** Reads the request stream up to `limit` bytes; beyond it the request is refused (413) without buffering more. */
export async function readRawBody(req: IncomingMessage, limit = WEBHOOK_BODY_LIMIT_BYTES): Promise<RawBodyResult> {
  const declared = Number(req.headers["content-length"] ?? "0")
  if (Number.isFinite(declared) && declared > limit) {
    req.resume()
    return { ok: false, bytes: declared }
  }
  const chunks: Buffer[] = []
  let size = 0
  let tooLarge = false
  for await (const chunk of req) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    size += buf.length
    if (size > limit) tooLarge = true
    else chunks.push(buf)
  }
  return tooLarge ? { ok: false, bytes: size } : { ok: true, body: Buffer.concat(chunks) }
}

/** The body size the request declares (0 when it declares none). */
function declaredLength(req: IncomingMessage): number {
  const n = Number(req.headers["content-length"] ?? "0")
  return Number.isSafeInteger(n) && n >= 0 ? n : 0
}

/** Headers as Node gives them, flattened to strings. */
export function plainHeaders(headers: IncomingMessage["headers"]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue
    out[k.toLowerCase()] = Array.isArray(v) ? v.join(", ") : v
  }
  return out
}

/**
 * Redacted copy for storage: secret-named headers (signature, token, cookie,
 * authorization, api key) are masked, and known secret values removed anywhere.
 */
export function redactHeaders(headers: Record<string, string>, secrets: readonly (string | undefined)[]): Record<string, string> {
  return redact(headers, secrets)
}

export type ReceiveWebhookInput = {
  container: MedusaContainer
  gateway: GatewayId
  /** The registration the URL names (`/hooks/secpaid/eu`), for delivery-log rows the decision does not name one for. */
  providerId?: string
  req: IncomingMessage & { ip?: string }
  /** Secrets that must not appear in stored headers/bodies (webhook secret, encryption key). */
  secrets: readonly (string | undefined)[]
  /** Largest body this gateway sends, with room to spare (default WEBHOOK_BODY_LIMIT_BYTES); larger → 413 unread. */
  bodyLimitBytes?: number
  /**
   * A refusal that the headers alone decide (e.g. no signature header), made before the
   * body is read: a flood of such posts costs neither reading nor parsing.
   */
  screen?(headers: Record<string, string>): RejectedWebhook | undefined
  /** Gateway-specific decision: signature, parsing, event id. Never throws for bad input. */
  accept(rawBody: Buffer, headers: Record<string, string>): WebhookDecision | Promise<WebhookDecision>
}

/** Genuine-looking deliveries being stored and acknowledged in this process right now. */
let deliveriesInFlight = 0

export function webhookDeliveriesInFlight(): number {
  return deliveriesInFlight
}

/**
 * Resolves once no webhook delivery is being received in this process, or after
 * `maxWaitMs` at the latest. Processing waits for it before it starts an event, so in a
 * burst the gateways' deliveries are acknowledged first (PayIn gives up on a delivery
 * after ~31 s) and orders are created in the gaps; a lone webhook never waits, because
 * its delivery has finished by the time its processing starts.
 */
export async function whenWebhookRoutesAreQuiet(maxWaitMs: number, pollMs = 5): Promise<void> {
  const deadline = Date.now() + maxWaitMs
  while (deliveriesInFlight > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, pollMs))
}

/**
 * Runs one delivery and returns the HTTP answer plus, when a new event was stored,
 * a function to call AFTER the answer went out to start processing immediately.
 */
export async function receiveWebhook(input: ReceiveWebhookInput): Promise<WebhookHttpAnswer & { afterAnswer?: () => Promise<void> }> {
  const { container, gateway, req } = input
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  const headers = plainHeaders(req.headers)
  const storedHeaders = redactHeaders(headers, input.secrets)
  const limits = DELIVERY_LOG_ROW_LIMITS

  // Every part of a delivery-log row is bounded and printable (NUL or invalid UTF-8 would
  // fail the insert), and the log decides whether the delivery gets a row of its own or
  // is counted: anyone can post here (see delivery-log-row.ts and delivery-log-throttle.ts).
  const log: DeliveryLogger = async (verdict, httpStatus, extra) => {
    try {
      await inbox.webhookDeliveryLog().record({
        gateway,
        providerId: extra.providerId ?? input.providerId,
        verdict,
        httpStatus,
        detail: deliveryLogText(extra.detail, limits.detailBytes),
        eventId: deliveryLogText(extra.eventId, limits.eventIdBytes),
        webhookEventId: extra.webhookEventId,
        headers: deliveryLogHeaders(storedHeaders),
        bodyExcerpt: extra.body ? deliveryLogBodyExcerpt(extra.body, input.secrets) : undefined,
        bodyBytes: extra.bytes,
        remoteAddress: deliveryLogText(req.ip ?? req.socket?.remoteAddress, limits.remoteAddressBytes),
      })
    } catch (error) {
      // The delivery log is for the admin's eyes; losing a log row must not change the answer.
      logger.warn(`Could not record a ${gateway} webhook delivery in the delivery log (${(error as Error).message}).`)
    }
  }

  const screened = input.screen?.(headers)
  if (screened) {
    req.resume() // the body is not needed: discard it unread
    await log(screened.verdict, screened.status, { detail: screened.detail, bytes: declaredLength(req) })
    return { status: screened.status, body: { message: screened.detail } }
  }
  const limit = input.bodyLimitBytes ?? WEBHOOK_BODY_LIMIT_BYTES
  const raw = await readRawBody(req, limit)
  if (!raw.ok) {
    const detail = `The body has ${raw.bytes} bytes, more than the ${limit} bytes a ${gateway} webhook may have.`
    await log("too_large", 413, { detail, bytes: raw.bytes })
    return { status: 413, body: { message: detail } }
  }
  const body = raw.body

  const decision = await input.accept(body, headers)
  if (!decision.ok) {
    await log(decision.verdict, decision.status, { detail: decision.detail, body, bytes: body.length, providerId: decision.providerId })
    if (decision.status === 200) return { status: 200, body: { received: true } }
    return { status: decision.status, body: { message: decision.detail } }
  }

  // Only a delivery that is to be stored and acknowledged holds processing back (see
  // whenWebhookRoutesAreQuiet): refused and ignored posts are answered without it, so a
  // flood of forged posts never delays the processing of genuine events.
  deliveriesInFlight++
  try {
    return await storeAndAcknowledge(input, decision, { body, storedHeaders }, log)
  } finally {
    deliveriesInFlight--
  }
}

type DeliveryLogger = (
  verdict: DeliveryVerdict,
  httpStatus: number,
  extra: { detail?: string; eventId?: string; webhookEventId?: string; body?: Buffer; bytes: number; providerId?: string }
) => Promise<void>

async function storeAndAcknowledge(
  input: ReceiveWebhookInput,
  decision: AcceptedWebhook,
  { body, storedHeaders }: { body: Buffer; storedHeaders: Record<string, string> },
  logAny: DeliveryLogger
): Promise<WebhookHttpAnswer & { afterAnswer?: () => Promise<void> }> {
  const log: DeliveryLogger = (verdict, httpStatus, extra) => logAny(verdict, httpStatus, { ...extra, providerId: decision.providerId })
  const { container, gateway } = input
  const logger = container.resolve(ContainerRegistrationKeys.LOGGER)
  const inbox = container.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
  let stored: StoredWebhookEvent
  try {
    stored = await inbox.storeWebhookEvent({
      gateway,
      providerId: decision.providerId,
      eventId: decision.eventId,
      eventType: decision.eventType,
      reference: decision.reference,
      sessionId: decision.sessionId,
      reverifyRepeatedClaims: decision.reverifyRepeatedClaims,
      rawBody: body,
      headers: storedHeaders,
    })
  } catch (error) {
    // 5xx so that PayIn delivers again; nothing was acknowledged.
    logger.error(`Could not store the ${gateway} webhook event ${decision.eventId} (${(error as Error).message}); answering 503 so the gateway retries.`)
    await log("store_failed", 503, { detail: "The event could not be stored; the gateway should deliver it again.", eventId: decision.eventId, body, bytes: body.length })
    return { status: 503, body: { message: "The event could not be stored; deliver it again later." } }
  }

  if (stored.recheck) {
    const detail = "The same event is being processed now; it is processed once more if that processing ends without acting."
    await log("recheck_queued", 200, { detail, eventId: decision.eventId, webhookEventId: stored.id, body, bytes: body.length })
    return { status: 200, body: { received: true } }
  }
  if (stored.duplicate) {
    await log("duplicate", 200, { eventId: decision.eventId, webhookEventId: stored.id, body, bytes: body.length })
    return { status: 200, body: { received: true, duplicate: true } }
  }
  await log("accepted", 200, { eventId: decision.eventId, webhookEventId: stored.id, body, bytes: body.length })
  return {
    status: 200,
    body: { received: true },
    afterAnswer: async () => {
      try {
        const eventBus = container.resolve(Modules.EVENT_BUS)
        await eventBus.emit({ name: WEBHOOK_EVENT_STORED, data: { id: stored.id, gateway } })
      } catch (error) {
        // The row is stored as `received`: the inbox poller picks it up.
        logger.warn(`Could not announce the stored ${gateway} event ${stored.id} (${(error as Error).message}); the inbox poller will process it.`)
      }
    },
  }
}

/** A short stable hash, for event ids derived from bodies. */
export function shortHash(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex").slice(0, 16)
}
