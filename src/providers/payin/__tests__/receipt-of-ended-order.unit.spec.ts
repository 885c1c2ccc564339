import { payInReceiptOfEndedOrder } from "../receipt-of-ended-order"
import type { PayInOrder } from "../responses"

const order: PayInOrder = { id: "po_9", orderReference: "payses_2", status: "expired", amount: "32.25", confirmedReceived: "10.5", token: "USDT" }

describe("payInReceiptOfEndedOrder", () => {
  it("asks PayIn for the session's order and reports what arrived", async () => {
    const asked: string[] = []
    const receipt = await payInReceiptOfEndedOrder({ payin_order_id: "po_9" }, async () => ({
      getOrder: async (id: string) => {
        asked.push(id)
        return order
      },
    }))
    expect(asked).toEqual(["po_9"])
    expect(receipt).toEqual({ received: "10.5", expected: "32.25", currency: "USDT", reference: "po_9" })
  })

  it("cannot say when the session has no PayIn order, and asks nobody", async () => {
    const client = jest.fn()
    expect(await payInReceiptOfEndedOrder({}, client)).toEqual({ received: undefined })
    expect(await payInReceiptOfEndedOrder(null, client)).toEqual({ received: undefined })
    expect(client).not.toHaveBeenCalled()
  })

  it("cannot say when the PayIn provider is not registered", async () => {
    expect(await payInReceiptOfEndedOrder({ payin_order_id: "po_9" }, async () => undefined)).toEqual({ received: undefined })
  })

  it("passes PayIn's failure on, so the event is retried", async () => {
    const client = async () => ({
      getOrder: async () => {
        throw new Error("PayIn answered 502; try again later.")
      },
    })
    await expect(payInReceiptOfEndedOrder({ payin_order_id: "po_9" }, client)).rejects.toThrow("PayIn answered 502")
  })
})
