import {
  ALL_STORED_OUTCOMES,
  CANCEL_OUTCOMES,
  NO_MONEY_MOVED_OUTCOMES,
  NOT_ACTED_OUTCOMES,
  PAID_OUTCOMES,
  outcomeActed,
  outcomeClass,
  storedOutcome,
  type WebhookEventOutcome,
} from "../webhook-outcome"

const ids = { sessionId: "payses_1", cartId: "cart_1", orderId: "order_1" }

describe("webhook event outcomes", () => {
  it("store the words existing inbox rows and the admin already use", () => {
    const cases: Array<[WebhookEventOutcome, string]> = [
      [{ kind: "order_created", ...ids }, "order_created"],
      [{ kind: "order_created_after_cancel", ...ids }, "order_created_after_cancel"],
      [{ kind: "payment_captured", ...ids }, "payment_captured"],
      [{ kind: "already_processed", ...ids }, "already_processed"],
      [{ kind: "flagged_payment_after_cancel", ...ids }, "flagged_payment_after_cancel"],
      [{ kind: "flagged_underpayment", ...ids }, "flagged_partial_payment"],
      [{ kind: "flagged_expired_partially_paid", ...ids }, "flagged_partial_payment"],
      [{ kind: "session_canceled", ...ids }, "session_canceled"],
      [{ kind: "session_error", ...ids }, "session_error"],
      [{ kind: "order_canceled", ...ids }, "order_canceled"],
      [{ kind: "ignored_late_cancel", ...ids }, "ignored_late_cancel"],
      [{ kind: "ignored_unknown_session", sessionId: "payses_1" }, "ignored_unknown_session"],
      [{ kind: "ignored_no_session" }, "ignored_no_session"],
      [{ kind: "no_action", action: "not_supported" }, "no_action_not_supported"],
      [{ kind: "no_action", action: "pending" }, "no_action_pending"],
    ]
    for (const [outcome, word] of cases) {
      expect(storedOutcome(outcome)).toBe(word)
      expect(ALL_STORED_OUTCOMES).toContain(word)
    }
  })

  it("count only session_canceled, session_error and order_canceled as cancels", () => {
    expect([...CANCEL_OUTCOMES].sort()).toEqual(["order_canceled", "session_canceled", "session_error"])
  })

  it("count the payments recorded in Medusa as paid", () => {
    expect([...PAID_OUTCOMES].sort()).toEqual(["already_processed", "order_created", "order_created_after_cancel", "payment_captured"])
  })

  it("let pruning delete exactly the words the no_action_/ignored_ prefixes named, nothing that concerns money", () => {
    for (const word of ALL_STORED_OUTCOMES) {
      expect([word, NO_MONEY_MOVED_OUTCOMES.includes(word)]).toEqual([word, word.startsWith("no_action_") || word.startsWith("ignored_")])
      expect([word, NOT_ACTED_OUTCOMES.includes(word)]).toEqual([word, word.startsWith("no_action_")])
    }
    for (const word of [...PAID_OUTCOMES, ...CANCEL_OUTCOMES, "flagged_partial_payment", "flagged_payment_after_cancel"]) {
      expect(NO_MONEY_MOVED_OUTCOMES).not.toContain(word)
    }
    expect(NO_MONEY_MOVED_OUTCOMES).toEqual(
      expect.arrayContaining(["no_action_not_supported", "no_action_pending", "no_action_pending_authorization", "no_action_requires_more", "ignored_unknown_session"])
    )
  })

  it("treat only no-action outcomes as not acted", () => {
    expect(outcomeActed({ kind: "no_action", action: "pending" })).toBe(false)
    expect(outcomeActed({ kind: "ignored_no_session" })).toBe(true)
    expect(outcomeActed({ kind: "order_created", ...ids })).toBe(true)
    expect(outcomeClass({ kind: "flagged_underpayment", sessionId: "payses_1" })).toBe("flagged")
  })
})
