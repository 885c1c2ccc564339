import { isOrderLeftByInterruptedCompletion, type CartContents, type OrderCandidate } from "../interrupted-cart-completion"

/** Which orders count as left half made by a cart completion that died. */

const since = new Date("2026-12-04T10:00:00Z")
const cart: CartContents = {
  id: "cart_1",
  email: "ada@example.com",
  currency_code: "eur",
  region_id: "reg_1",
  sales_channel_id: "sc_1",
  items: [
    { variant_id: "variant_a", quantity: 2 },
    { variant_id: "variant_b", quantity: 1 },
  ],
}
// As Medusa's createOrdersStep copies it from the cart (order items list in any order; quantities may come as text).
const halfMade: OrderCandidate = {
  ...cart,
  id: "order_1",
  items: [
    { variant_id: "variant_b", quantity: "1" },
    { variant_id: "variant_a", quantity: 2 },
  ],
  created_at: "2026-12-04T10:00:03Z",
  linkedToCart: false,
}

describe("isOrderLeftByInterruptedCompletion", () => {
  it("an order of the cart's contents, linked to no cart, made after the attempt began", () => {
    expect(isOrderLeftByInterruptedCompletion(cart, halfMade, since)).toBe(true)
  })

  it("not an order some cart holds (a completed checkout, this cart's or another's)", () => {
    expect(isOrderLeftByInterruptedCompletion(cart, { ...halfMade, linkedToCart: true }, since)).toBe(false)
  })

  it("not an order made before the attempt began", () => {
    expect(isOrderLeftByInterruptedCompletion(cart, { ...halfMade, created_at: "2026-12-04T09:59:59Z" }, since)).toBe(false)
  })

  it("not an order of other contents, another customer, currency, region or sales channel (e.g. one made by staff)", () => {
    for (const other of [
      { items: [{ variant_id: "variant_a", quantity: 2 }] },
      { items: [{ variant_id: "variant_a", quantity: 1 }, { variant_id: "variant_b", quantity: 1 }] },
      { email: "grace@example.com" },
      { currency_code: "usd" },
      { region_id: "reg_2" },
      { sales_channel_id: "sc_2" },
    ]) {
      expect(isOrderLeftByInterruptedCompletion(cart, { ...halfMade, ...other }, since)).toBe(false)
    }
  })

  it("nothing for a cart without an email (no order can be told to be its own)", () => {
    expect(isOrderLeftByInterruptedCompletion({ ...cart, email: null }, { ...halfMade, email: null }, since)).toBe(false)
  })
})
