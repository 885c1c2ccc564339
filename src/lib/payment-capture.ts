/**
 * When a Medusa payment counts as captured, defined once for the whole plugin, in the
 * two senses the plugin needs:
 *  - **fully captured** (`captured_at` is set: Medusa took the whole amount) — what the
 *    fulfillment guard, the admin order widget and re-verification call paid;
 *  - **holds captured money** (fully captured, or at least one capture exists) — what
 *    inbox processing (a paid order is never moved backwards) and the expiry rule for
 *    orders placed before confirmation (an order holding money is never cancelled)
 *    protect. A part-captured payment is protected but not shippable.
 * Queries that feed these functions must select `PAYMENT_CAPTURE_FIELDS` under the
 * payment's path.
 */
export type PaymentCaptureState = {
  captured_at?: unknown
  captures?: ReadonlyArray<unknown> | null
}

/** The payment fields these functions read, relative to the payment. */
export const PAYMENT_CAPTURE_FIELDS = ["captured_at", "captures.id"] as const

/** The capture fields of payments under `prefix`, e.g. `payment_collections.payments`, for `query.graph`. */
export function paymentCaptureFields(prefix: string): string[] {
  return PAYMENT_CAPTURE_FIELDS.map((field) => `${prefix}.${field}`)
}

/** Medusa captured the whole amount: the payment is paid, the order may ship. */
export function isPaymentFullyCaptured(payment: PaymentCaptureState | null | undefined): boolean {
  return !!payment?.captured_at
}

/** Medusa took money on the payment, all of it or part. */
export function holdsCapturedMoney(payment: PaymentCaptureState | null | undefined): boolean {
  if (!payment) return false
  return isPaymentFullyCaptured(payment) || (payment.captures ?? []).length > 0
}

/** An order (its payment collections as `query.graph` returns them) holds captured money on at least one payment. */
export function orderHoldsCapturedMoney(order: {
  payment_collections?: ReadonlyArray<{ payments?: ReadonlyArray<PaymentCaptureState | null> | null } | null> | null
}): boolean {
  return (order.payment_collections ?? []).some((collection) => (collection?.payments ?? []).some((payment) => holdsCapturedMoney(payment)))
}
