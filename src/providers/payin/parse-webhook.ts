import { z } from "zod"

/**
 * PayIn webhook bodies, both casings. Only what routing needs is read here: the
 * event id and type and the order id. The order's state is never taken from the
 * webhook; it is re-fetched from PayIn before anything is paid.
 */

export const PAYIN_ORDER_EVENT_TYPES = ["order.created", "order.completed", "order.expired", "order.failed"] as const

const text = z.string().nullish()

const eventSchema = z
  .object({
    id: text,
    type: z.string(),
    createdAt: text,
    created_at: text,
    data: z
      .object({
        orderId: text,
        order_id: text,
        id: text,
        orderReference: text,
        order_reference: text,
        status: text,
        reason: text,
      })
      .nullish(),
  })
  .transform((e) => ({
    id: e.id ?? undefined,
    type: e.type,
    createdAt: e.createdAt ?? e.created_at ?? undefined,
    orderId: e.data?.orderId ?? e.data?.order_id ?? (e.type.startsWith("order.") ? e.data?.id : undefined) ?? undefined,
    orderReference: e.data?.orderReference ?? e.data?.order_reference ?? undefined,
    status: e.data?.status ?? undefined,
    reason: e.data?.reason ?? undefined,
  }))

export type PayInWebhookEvent = z.output<typeof eventSchema>

/**
 * Medusa hands `rawData` over as a Buffer, or as `{ type: "Buffer", data: [...] }`
 * when the event went through the Redis event bus. Anything else is not raw bytes
 * and cannot be verified.
 */
export function payInRawBodyBytes(rawData: unknown): Buffer | undefined {
  if (Buffer.isBuffer(rawData)) return rawData
  if (rawData instanceof Uint8Array) return Buffer.from(rawData)
  if (
    rawData &&
    typeof rawData === "object" &&
    (rawData as { type?: unknown }).type === "Buffer" &&
    Array.isArray((rawData as { data?: unknown }).data)
  ) {
    return Buffer.from((rawData as { data: number[] }).data)
  }
  // A string is the raw text only if nothing re-serialised it; Medusa passes Buffers, so refuse.
  return undefined
}

export type ParsedPayInWebhook = { ok: true; event: PayInWebhookEvent } | { ok: false; reason: string }

/** Parses the verified raw body; the event id header is used when the body has none. */
export function parsePayInWebhook(rawBody: Buffer, headers?: Record<string, unknown>): ParsedPayInWebhook {
  let json: unknown
  try {
    json = JSON.parse(rawBody.toString("utf8"))
  } catch {
    return { ok: false, reason: "the body is not JSON" }
  }
  const parsed = eventSchema.safeParse(json)
  if (!parsed.success) {
    return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; ") }
  }
  const event = parsed.data
  if (!event.id && headers) {
    const fromHeader = headerValue(headers, "x-payin-event-id") ?? headerValue(headers, "payin-event-id")
    if (fromHeader) event.id = fromHeader
  }
  return { ok: true, event }
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      const v = Array.isArray(value) ? value[0] : value
      return typeof v === "string" && v ? v : undefined
    }
  }
  return undefined
}
