import { storedOutcome, outcomeActed } from "../../modules/payment-gateways/webhook-outcome"
import {
  decideWebhookEvent,
  type CartAndOrder,
  type GatewayReceipt,
  type GatewayVerdict,
  type InboxEvent,
  type PaymentFlagInput,
  type SessionState,
  type WebhookEventCollaborators,
} from "../decide-webhook-event"
import type { ExpiredOrderAwaitingPaymentInput, ExpiredOrderAwaitingPaymentOutcome } from "../settle-expired-order-awaiting-payment"

/**
 * Every decision of inbox processing, against an in-memory store that implements the
 * collaborators: sessions, carts and orders, the inbox's earlier outcomes, flags.
 * Completing a cart places an order with a captured payment, as Medusa does.
 */

const SECPAID_EVENT: InboxEvent = { id: "pgwe_1", gateway: "secpaid", event_id: "pay_1:success", reference: "pay_1" }
const PAYIN_EVENT: InboxEvent = { id: "pgwe_2", gateway: "payin", event_id: "evt_9", reference: "po_9" }

type Store = {
  verdict: GatewayVerdict | (() => Promise<GatewayVerdict>)
  sessions?: Record<string, SessionState>
  carts?: Record<string, CartAndOrder>
  prior?: Record<string, string[]>
  receipt?: GatewayReceipt
  settle?: ExpiredOrderAwaitingPaymentOutcome
  /** completeCart finds no order afterwards (the cart could not be completed). */
  completeLeavesNoOrder?: boolean
}

function fakeStore(store: Store) {
  const calls = {
    flags: [] as PaymentFlagInput[],
    completed: [] as Array<{ sessionId: string; amount: unknown; action: string }>,
    statuses: [] as Array<{ sessionId: string; status: string }>,
    settled: [] as ExpiredOrderAwaitingPaymentInput[],
    receipts: 0,
    cleanups: [] as Array<{ cartId: string; since: Date }>,
  }
  const sessions = store.sessions ?? {}
  const carts = store.carts ?? {}
  let orders = 0
  const collaborators: WebhookEventCollaborators = {
    verify: async () => (typeof store.verdict === "function" ? store.verdict() : store.verdict),
    findSession: async (id) => (sessions[id] ? { ...sessions[id] } : undefined),
    findCartAndOrder: async (id) => ({ ...(carts[id] ?? {}) }),
    priorOutcomes: async (id) => store.prior?.[id] ?? [],
    completeCart: async (input) => {
      calls.completed.push(input)
      const cart = (carts[input.sessionId] ??= { cartId: `cart_${input.sessionId}` })
      if (store.completeLeavesNoOrder) return { cartId: cart.cartId }
      const orderId = cart.orderId ?? `order_${++orders}`
      carts[input.sessionId] = { cartId: cart.cartId, orderId, order: { id: orderId, status: "pending", captured: true } }
      sessions[input.sessionId] = { ...sessions[input.sessionId], status: input.action }
      return { cartId: cart.cartId, orderId }
    },
    setSessionStatus: async (sessionId, status) => {
      calls.statuses.push({ sessionId, status })
      sessions[sessionId] = { ...sessions[sessionId], status }
    },
    receivedAtGateway: async () => {
      calls.receipts++
      return store.receipt ?? { received: undefined }
    },
    settleExpiredOrder: async (input) => {
      calls.settled.push(input)
      return { outcome: store.settle ?? "order_canceled" }
    },
    flag: async (input) => {
      calls.flags.push(input)
    },
    removeOrdersLeftByInterruptedCompletion: async (input) => {
      calls.cleanups.push(input)
      return { removed: [] }
    },
  }
  return { collaborators, calls, sessions, carts }
}

const eurSession = (status = "pending", amount = "30.00"): SessionState => ({ id: "payses_1", status, amount, currencyCode: "eur", data: {} })
const usdSession = (status = "pending"): SessionState => ({ id: "payses_2", status, amount: "32.25", currencyCode: "usd", data: { payin_order_id: "po_9" } })
const openCart: CartAndOrder = { cartId: "cart_1" }
const unpaidOrder = (status = "pending"): CartAndOrder => ({ cartId: "cart_2", orderId: "order_2", order: { id: "order_2", status, captured: false } })

describe("decideWebhookEvent: a verified payment", () => {
  it("completes the open cart into an order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "order_created", sessionId: "payses_1", cartId: "cart_1", orderId: "order_1" })
    expect(storedOutcome(outcome)).toBe("order_created")
    expect(calls.completed).toEqual([{ sessionId: "payses_1", amount: "30", action: "captured" }])
    expect(calls.flags).toEqual([])
  })

  it("after an attempt that died, removes what it left half made before completing the cart again", async () => {
    const since = new Date("2026-12-04T10:00:00Z")
    const order: string[] = []
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    const { removeOrdersLeftByInterruptedCompletion, completeCart } = collaborators
    collaborators.removeOrdersLeftByInterruptedCompletion = async (input) => (order.push("cleanup"), removeOrdersLeftByInterruptedCompletion(input))
    collaborators.completeCart = async (input) => (order.push("complete"), completeCart(input))
    const outcome = await decideWebhookEvent({ ...SECPAID_EVENT, interrupted_attempt_at: since }, collaborators)
    expect(outcome.kind).toBe("order_created")
    expect(calls.cleanups).toEqual([{ cartId: "cart_1", since }])
    expect(order).toEqual(["cleanup", "complete"])
  })

  it("removes nothing on a first attempt, or when the cart already has its order", async () => {
    const first = fakeStore({ verdict: { action: "captured", sessionId: "payses_1", amount: "30" }, sessions: { payses_1: eurSession() }, carts: { payses_1: openCart } })
    expect((await decideWebhookEvent(SECPAID_EVENT, first.collaborators)).kind).toBe("order_created")
    expect(first.calls.cleanups).toEqual([])

    const placed = fakeStore({ verdict: { action: "captured", sessionId: "payses_2", amount: "32.25" }, sessions: { payses_2: usdSession() }, carts: { payses_2: unpaidOrder() } })
    const outcome = await decideWebhookEvent({ ...PAYIN_EVENT, interrupted_attempt_at: new Date() }, placed.collaborators)
    expect(outcome.kind).toBe("payment_captured")
    expect(placed.calls.cleanups).toEqual([])
  })

  it("an order of the earlier attempt still being linked makes the event wait: the cart is not completed a second time", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    collaborators.removeOrdersLeftByInterruptedCompletion = async () => {
      throw new Error("Order order_9 was made from cart cart_1 by an earlier attempt and is linked to no cart yet")
    }
    await expect(decideWebhookEvent({ ...SECPAID_EVENT, interrupted_attempt_at: new Date() }, collaborators)).rejects.toThrow(/linked to no cart yet/)
    expect(calls.completed).toEqual([])
  })

  it("completes a PayIn payment as authorized when the gateway says authorized", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "authorized", sessionId: "payses_2", amount: "32.25" },
      sessions: { payses_2: usdSession() },
    })
    expect((await decideWebhookEvent(PAYIN_EVENT, collaborators)).kind).toBe("order_created")
    expect(calls.completed).toEqual([{ sessionId: "payses_2", amount: "32.25", action: "authorized" }])
  })

  it("uses the session's amount when the gateway reports none", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "captured", sessionId: "payses_1" }, sessions: { payses_1: eurSession() } })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("order_created")
    expect(calls.completed[0].amount).toBe("30.00")
  })

  it("records the payment on an unpaid order placed before confirmation", async () => {
    const { collaborators } = fakeStore({
      verdict: { action: "authorized", sessionId: "payses_2", amount: "32.25" },
      sessions: { payses_2: usdSession() },
      carts: { payses_2: unpaidOrder() },
    })
    const outcome = await decideWebhookEvent(PAYIN_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "payment_captured", sessionId: "payses_2", cartId: "cart_2", orderId: "order_2" })
    expect(storedOutcome(outcome)).toBe("payment_captured")
  })

  it("changes nothing for a duplicate: the second delivery finds the captured order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    const first = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    const second = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(first.kind).toBe("order_created")
    expect(second).toEqual({ kind: "already_processed", sessionId: "payses_1", cartId: "cart_1", orderId: "order_1" })
    expect(calls.completed).toHaveLength(1)
  })

  it("flags a short payment and places no order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "29.99" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "flagged_underpayment", sessionId: "payses_1", cartId: "cart_1", orderId: undefined })
    expect(storedOutcome(outcome)).toBe("flagged_partial_payment")
    expect(calls.completed).toEqual([])
    expect(calls.flags).toEqual([
      expect.objectContaining({
        gateway: "secpaid",
        reference: "pay_1",
        kind: "partial_payment",
        details: { event_id: "pay_1:success", expected_minor: "3000", paid_minor: "2999", currency: "eur" },
      }),
    ])
  })

  it("flags an overpayment and still places the order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30.01" },
      sessions: { payses_1: eurSession() },
    })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("order_created")
    expect(calls.flags.map((f) => f.kind)).toEqual(["overpayment"])
  })

  it("compares amounts in the currency's minor units, without floats", async () => {
    // 0.1 + 0.2 is not 0.3 in floats; "0.30" and "0.3" are the same 30 cents.
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "0.3" },
      sessions: { payses_1: eurSession("pending", "0.30") },
    })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("order_created")
    expect(calls.flags).toEqual([])
  })

  it("fails (to be retried) when the verified payment's session does not exist", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "captured", sessionId: "payses_gone", amount: "30" } })
    await expect(decideWebhookEvent(SECPAID_EVENT, collaborators)).rejects.toThrow(/payses_gone is verified, but this store has no such payment session/)
    expect(calls.completed).toEqual([])
  })

  it("fails (to be retried) when completing the cart placed no order", async () => {
    const { collaborators } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
      completeLeavesNoOrder: true,
    })
    await expect(decideWebhookEvent(SECPAID_EVENT, collaborators)).rejects.toThrow(/no order exists for cart cart_1/)
  })
})

describe("decideWebhookEvent: a payment after a cancel", () => {
  it("flags it and still turns the open cart into an order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession("canceled") },
      carts: { payses_1: openCart },
      prior: { payses_1: ["session_canceled"] },
    })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome.kind).toBe("order_created_after_cancel")
    expect(calls.flags).toEqual([
      expect.objectContaining({ kind: "payment_after_cancel", reference: "pay_1", details: { event_id: "pay_1:success", amount: "30", order_status: null } }),
    ])
  })

  it("counts an earlier cancel outcome in the inbox even when the session looks pending", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "captured", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession("pending") },
      prior: { payses_1: ["no_action_not_supported", "order_canceled"] },
    })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("order_created_after_cancel")
    expect(calls.flags.map((f) => f.kind)).toEqual(["payment_after_cancel"])
  })

  it("flags it and leaves an order cancelled as unpaid for the merchant to decide", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "authorized", sessionId: "payses_2", amount: "32.25" },
      sessions: { payses_2: usdSession("canceled") },
      carts: { payses_2: unpaidOrder("canceled") },
    })
    const outcome = await decideWebhookEvent(PAYIN_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "flagged_payment_after_cancel", sessionId: "payses_2", cartId: "cart_2", orderId: "order_2" })
    expect(storedOutcome(outcome)).toBe("flagged_payment_after_cancel")
    expect(calls.completed).toEqual([])
    expect(calls.flags).toEqual([expect.objectContaining({ kind: "payment_after_cancel", reference: "po_9", orderId: "order_2" })])
  })
})

describe("decideWebhookEvent: a cancel or failure", () => {
  it("cancels a pending session without an order", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "canceled", sessionId: "payses_1", amount: "30" },
      sessions: { payses_1: eurSession() },
      carts: { payses_1: openCart },
    })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "session_canceled", sessionId: "payses_1", cartId: "cart_1", orderId: undefined })
    expect(calls.statuses).toEqual([{ sessionId: "payses_1", status: "canceled" }])
    expect(calls.settled).toEqual([])
  })

  it("marks a failed payment's session as an error", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "failed", sessionId: "payses_2" }, sessions: { payses_2: usdSession() } })
    expect((await decideWebhookEvent(PAYIN_EVENT, collaborators)).kind).toBe("session_error")
    expect(calls.statuses).toEqual([{ sessionId: "payses_2", status: "error" }])
  })

  it("does not write a status the session already has", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "canceled", sessionId: "payses_1" }, sessions: { payses_1: eurSession("canceled") } })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("session_canceled")
    expect(calls.statuses).toEqual([])
  })

  it.each(["captured", "authorized"])("ignores a late cancel after the session was %s (never backwards)", async (status) => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "canceled", sessionId: "payses_1" }, sessions: { payses_1: eurSession(status) } })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome.kind).toBe("ignored_late_cancel")
    expect(storedOutcome(outcome)).toBe("ignored_late_cancel")
    expect(calls.statuses).toEqual([])
  })

  it("ignores a late expiry once the order holds a captured payment", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "failed", sessionId: "payses_2" },
      sessions: { payses_2: usdSession("pending") },
      carts: { payses_2: { cartId: "cart_2", orderId: "order_2", order: { id: "order_2", status: "pending", captured: true } } },
    })
    expect((await decideWebhookEvent(PAYIN_EVENT, collaborators)).kind).toBe("ignored_late_cancel")
    expect(calls.statuses).toEqual([])
    expect(calls.settled).toEqual([])
  })

  it("a paid event then its late cancel: the order stays", async () => {
    let verdict: GatewayVerdict = { action: "captured", sessionId: "payses_1", amount: "30" }
    const { collaborators, calls } = fakeStore({ verdict: async () => verdict, sessions: { payses_1: eurSession() } })
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("order_created")
    verdict = { action: "canceled", sessionId: "payses_1" }
    expect((await decideWebhookEvent(SECPAID_EVENT, collaborators)).kind).toBe("ignored_late_cancel")
    expect(calls.statuses).toEqual([])
  })

  it("ignores a cancel for a session this store never saved", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "failed", sessionId: "payses_never" } })
    const outcome = await decideWebhookEvent(PAYIN_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "ignored_unknown_session", sessionId: "payses_never" })
    expect(storedOutcome(outcome)).toBe("ignored_unknown_session")
    expect(calls.statuses).toEqual([])
  })
})

describe("decideWebhookEvent: PayIn order placed before confirmation, then ended", () => {
  it("cancels the unpaid order when PayIn cancelled its order (nothing received)", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "canceled", sessionId: "payses_2" },
      sessions: { payses_2: usdSession() },
      carts: { payses_2: unpaidOrder() },
      settle: "order_canceled",
    })
    const outcome = await decideWebhookEvent(PAYIN_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "order_canceled", sessionId: "payses_2", cartId: "cart_2", orderId: "order_2" })
    expect(calls.settled).toEqual([{ gateway: "payin", sessionId: "payses_2", reference: "po_9", received: "0", eventId: "evt_9" }])
    expect(calls.receipts).toBe(0)
  })

  it("keeps the order and flags it when the expired order received part of the amount", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "failed", sessionId: "payses_2" },
      sessions: { payses_2: usdSession() },
      carts: { payses_2: unpaidOrder() },
      receipt: { received: "10", expected: "32.25", currency: "USDT", reference: "po_9b" },
      settle: "flagged_partial_payment",
    })
    const outcome = await decideWebhookEvent(PAYIN_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "flagged_expired_partially_paid", sessionId: "payses_2", cartId: "cart_2", orderId: "order_2" })
    expect(storedOutcome(outcome)).toBe("flagged_partial_payment")
    expect(calls.settled).toEqual([
      { gateway: "payin", sessionId: "payses_2", reference: "po_9b", received: "10", expected: "32.25", currency: "USDT", eventId: "evt_9" },
    ])
    expect(calls.statuses).toEqual([{ sessionId: "payses_2", status: "error" }])
  })

  it.each<ExpiredOrderAwaitingPaymentOutcome>(["order_kept_receipt_unknown", "order_captured_untouched", "no_order"])(
    "records the session's failure when the order is left as it is (%s)",
    async (settle) => {
      const { collaborators } = fakeStore({
        verdict: { action: "failed", sessionId: "payses_2" },
        sessions: { payses_2: usdSession() },
        carts: { payses_2: unpaidOrder() },
        settle,
      })
      expect(await decideWebhookEvent(PAYIN_EVENT, collaborators)).toEqual({ kind: "session_error", sessionId: "payses_2", cartId: "cart_2", orderId: "order_2" })
    }
  )

  it("does not settle an order that is already cancelled", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: { action: "canceled", sessionId: "payses_2" },
      sessions: { payses_2: usdSession() },
      carts: { payses_2: unpaidOrder("canceled") },
    })
    expect((await decideWebhookEvent(PAYIN_EVENT, collaborators)).kind).toBe("session_canceled")
    expect(calls.settled).toEqual([])
  })
})

describe("decideWebhookEvent: nothing to act on", () => {
  it("takes an unverified claim as no action and touches nothing", async () => {
    const { collaborators, calls } = fakeStore({ verdict: { action: "not_supported" }, sessions: { payses_1: eurSession() } })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "no_action", action: "not_supported", sessionId: undefined })
    expect(storedOutcome(outcome)).toBe("no_action_not_supported")
    expect(outcomeActed(outcome)).toBe(false)
    expect(calls).toEqual({ flags: [], completed: [], statuses: [], settled: [], receipts: 0, cleanups: [] })
  })

  it.each(["pending", "pending_authorization", "requires_more"] as const)("takes a %s payment as no action", async (action) => {
    const { collaborators, calls } = fakeStore({ verdict: { action, sessionId: "payses_1" }, sessions: { payses_1: eurSession() } })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "no_action", action, sessionId: "payses_1" })
    expect(storedOutcome(outcome)).toBe(`no_action_${action}`)
    expect(calls.completed).toEqual([])
    expect(calls.statuses).toEqual([])
  })

  it.each(["captured", "canceled"] as const)("ignores a verified %s event that names no session", async (action) => {
    const { collaborators, calls } = fakeStore({ verdict: { action } })
    const outcome = await decideWebhookEvent(SECPAID_EVENT, collaborators)
    expect(outcome).toEqual({ kind: "ignored_no_session" })
    expect(storedOutcome(outcome)).toBe("ignored_no_session")
    expect(calls.completed).toEqual([])
  })
})

describe("decideWebhookEvent: the gateway cannot be asked", () => {
  it("throws the gateway's error, so the inbox retries the event", async () => {
    const { collaborators, calls } = fakeStore({
      verdict: async () => {
        throw new Error("SecPaid did not answer within 10 s; the event is retried.")
      },
      sessions: { payses_1: eurSession() },
    })
    await expect(decideWebhookEvent(SECPAID_EVENT, collaborators)).rejects.toThrow("SecPaid did not answer")
    expect(calls).toEqual({ flags: [], completed: [], statuses: [], settled: [], receipts: 0, cleanups: [] })
  })
})
