import { PaymentActions } from "@medusajs/framework/utils"
import { handlePayInBrowserReturn, type PayInReturnDeps } from "../browser-return"
import { parsePayInOptions } from "../options"
import type { PayInOrder } from "../responses"

const SESSION = "payses_01RETURN"
const ORDER_ID = "0b0c0d0e-0000-4000-8000-000000000001"

function deps(order: Partial<PayInOrder>, extra: { onHold?: boolean; completeFails?: boolean; data?: Record<string, unknown> } = {}) {
  const completions: unknown[] = []
  const settlements: Array<{ reference: string; received: string; expected: string; currency?: string }> = []
  const d: PayInReturnDeps = {
    session: { id: SESSION, provider_id: "pp_payin_payin", data: extra.data ?? { payin_order_id: ORDER_ID, session_id: SESSION } },
    options: parsePayInOptions({
      apiKey: "pk_test_x",
      webhookSecret: "whsec_12345678",
      backendUrl: "https://shop.example.com",
      placeOrderBeforeConfirmation: !!extra.onHold,
    }),
    client: {
      getOrder: async () => ({ id: ORDER_ID, orderReference: SESSION, status: "pending", amount: "32.25", confirmedReceived: "0", ...order }),
    },
    completePaidCart: async (input) => {
      completions.push(input)
      if (extra.completeFails) throw new Error("cart locked")
      return { cartId: "cart_1", orderId: "order_1" }
    },
    findCartAndOrder: async () => ({ cartId: "cart_1" }),
    // Stands in for the shared rule: cancelled only when nothing arrived.
    settleExpiredOrderAwaitingPayment: async (expiry) => {
      settlements.push(expiry)
      return { cartId: "cart_1", orderId: "order_1", canceled: !/[1-9]/.test(expiry.received) }
    },
    logger: { warn: () => undefined, error: () => undefined },
  }
  return { d, completions, settlements }
}

describe("handlePayInBrowserReturn", () => {
  it("completes the cart only when PayIn reports the order paid", async () => {
    const { d, completions } = deps({ status: "completed", confirmedReceived: "32.25" })
    expect(await handlePayInBrowserReturn(d)).toEqual({ status: "paid", payinStatus: "completed", cartId: "cart_1", orderId: "order_1" })
    expect(completions).toEqual([{ sessionId: SESSION, amount: "32.25", action: PaymentActions.SUCCESSFUL }])
  })

  it("says pending, and places nothing, for a pending order", async () => {
    const { d, completions } = deps({ status: "pending" })
    expect(await handlePayInBrowserReturn(d)).toMatchObject({ status: "pending", payinStatus: "pending" })
    expect(completions).toHaveLength(0)
  })

  it("places the order awaiting payment for a pending order when the shop places orders before confirmation", async () => {
    const { d, completions } = deps({ status: "pending" }, { onHold: true })
    expect(await handlePayInBrowserReturn(d)).toEqual({ status: "pending", payinStatus: "pending", cartId: "cart_1", orderId: "order_1" })
    expect(completions).toEqual([{ sessionId: SESSION, amount: "32.25", action: PaymentActions.AUTHORIZED }])
  })

  it("maps expiry to canceled, partial expiry to failed, and hands an expired on-hold order to the shared rule with what arrived", async () => {
    const plain = deps({ status: "expired" })
    expect((await handlePayInBrowserReturn(plain.d)).status).toBe("canceled")
    expect((await handlePayInBrowserReturn(deps({ status: "expired", confirmedReceived: "3" }).d)).status).toBe("failed")
    expect(plain.settlements).toHaveLength(0)

    const onHold = deps({ status: "expired" }, { onHold: true })
    expect(await handlePayInBrowserReturn(onHold.d)).toMatchObject({ status: "canceled", orderId: "order_1" })
    expect(onHold.settlements).toEqual([{ reference: ORDER_ID, received: "0", expected: "32.25", currency: undefined }])

    const partialOnHold = deps({ status: "expired", confirmedReceived: "16.125", token: "USDC" }, { onHold: true })
    expect(await handlePayInBrowserReturn(partialOnHold.d)).toMatchObject({ status: "failed", orderId: "order_1" })
    expect(partialOnHold.settlements).toEqual([{ reference: ORDER_ID, received: "16.125", expected: "32.25", currency: "USDC" }])
  })

  it("refuses an order that belongs to another session", async () => {
    const { d, completions } = deps({ status: "completed", confirmedReceived: "32.25", orderReference: "payses_OTHER" })
    expect((await handlePayInBrowserReturn(d)).status).toBe("failed")
    expect(completions).toHaveLength(0)
  })

  it("says pending when the cart cannot be completed right now", async () => {
    const { d } = deps({ status: "completed", confirmedReceived: "32.25" }, { completeFails: true })
    expect((await handlePayInBrowserReturn(d)).status).toBe("pending")
  })

  it("says failed for a session without a PayIn order", async () => {
    const { d } = deps({}, { data: {} })
    expect((await handlePayInBrowserReturn(d)).status).toBe("failed")
  })
})
