/**
 * When a Medusa payment counts as captured (paid), defined once for the whole plugin:
 * inbox processing (a paid order is never moved backwards), the expiry rule for orders
 * placed before confirmation (an order holding captured money is never cancelled), the
 * fulfillment guard and the admin order widget.
 *
 * Captured means Medusa recorded money taken on it: `captured_at` is set (the whole
 * amount was captured) or at least one capture exists (part of it was). Queries that
 * feed these functions must select `PAYMENT_CAPTURE_FIELDS` under the payment's path.
 */
export type PaymentCaptureState = {
  captured_at?: unknown
  captures?: ReadonlyArray<unknown> | null
}

/** The payment fields `isPaymentCaptured` reads, relative to the payment. */
export const PAYMENT_CAPTURE_FIELDS = ["captured_at", "captures.id"] as const

/** The capture fields of payments under `prefix`, e.g. `payment_collections.payments`, for `query.graph`. */
export function paymentCaptureFields(prefix: string): string[] {
  return PAYMENT_CAPTURE_FIELDS.map((field) => `${prefix}.${field}`)
}

export function isPaymentCaptured(payment: PaymentCaptureState | null | undefined): boolean {
  if (!payment) return false
  return !!payment.captured_at || (payment.captures ?? []).length > 0
}

/** An order (its payment collections as `query.graph` returns them) holds at least one captured payment. */
export function orderHasCapturedPayment(order: {
  payment_collections?: ReadonlyArray<{ payments?: ReadonlyArray<PaymentCaptureState | null> | null } | null> | null
}): boolean {
  return (order.payment_collections ?? []).some((collection) => (collection?.payments ?? []).some((payment) => isPaymentCaptured(payment)))
}
