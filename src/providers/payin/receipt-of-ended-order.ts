import type { PayInOrder } from "./responses"

/**
 * How much PayIn received for a session whose payment it reports as failed (an order
 * that expired with part of the amount received, or failed), asked from PayIn itself.
 * `received` is undefined when it cannot be said (no PayIn order on the session, or no
 * client): nothing is then cancelled, money may be there. `reference` is the PayIn
 * order id, the reference of any flag raised for it.
 */
export type PayInReceipt = { received: string | undefined; expected?: string; currency?: string; reference?: string }

export async function payInReceiptOfEndedOrder(
  sessionData: Record<string, unknown> | null | undefined,
  client: () => Promise<{ getOrder(orderId: string): Promise<PayInOrder> } | undefined>
): Promise<PayInReceipt> {
  const payinOrderId = typeof sessionData?.payin_order_id === "string" ? sessionData.payin_order_id : undefined
  if (!payinOrderId) return { received: undefined }
  const payin = await client()
  if (!payin) return { received: undefined }
  const order = await payin.getOrder(payinOrderId)
  return { received: order.confirmedReceived, expected: order.amount, currency: order.token, reference: order.id }
}
