/**
 * What processing a stored webhook event decided, as a typed value, and the word
 * stored for it in the inbox's `outcome` column (shown in the admin, read back by
 * later processing and by pruning).
 *
 * Every decision is one variant of `WebhookEventOutcome`. The stored word of each
 * variant and the class it belongs to are defined once, in `OUTCOME_DEFINITIONS`;
 * every list of stored words used elsewhere (what counts as a cancel, which events
 * may be pruned, which did not act) is derived from it.
 */

/** Where a processed event leaves the payment: the classes the rest of the plugin asks about. */
export type OutcomeClass =
  /** The payment is recorded in Medusa (an order exists with the payment, or it already had it). */
  | "paid"
  /** The gateway ended the payment; the session (and an unpaid order) was cancelled or marked failed. */
  | "cancelled"
  /** Money arrived, but not as expected: a flag tells the merchant what a person must decide. */
  | "flagged"
  /** The event concerns nothing this store can change (unknown session, a cancel after the payment). */
  | "ignored"
  /**
   * The gateway did not confirm anything to act on (an unverified claim, a pending or
   * unsupported event). A later delivery of the same event is checked again.
   */
  | "no_action"

/**
 * What the gateway answered that leads to no action: `not_supported` (an unverified
 * claim, or an event the plugin does not process), `pending`, `requires_more`,
 * `pending_authorization` (Medusa's PaymentActions values).
 */
export const NO_ACTION_GATEWAY_ACTIONS = ["not_supported", "pending", "requires_more", "pending_authorization"] as const
export type NoActionGatewayAction = (typeof NO_ACTION_GATEWAY_ACTIONS)[number]

type Ids = { sessionId: string; cartId?: string; orderId?: string }
type WithOrder = { sessionId: string; cartId?: string; orderId: string }

export type WebhookEventOutcome =
  /** Verified paid; the cart was completed into a new order. */
  | ({ kind: "order_created" } & WithOrder)
  /** Verified paid after the session had been cancelled (flagged); the cart was still open and became an order. */
  | ({ kind: "order_created_after_cancel" } & WithOrder)
  /** Verified paid for an order placed before the payment was confirmed; the payment is now recorded on it. */
  | ({ kind: "payment_captured" } & WithOrder)
  /** Verified paid, and the order already holds a captured payment: nothing to do. */
  | ({ kind: "already_processed" } & WithOrder)
  /** Verified paid for an order that was cancelled as unpaid: flagged, the merchant refunds or re-opens. */
  | ({ kind: "flagged_payment_after_cancel" } & Ids)
  /** Verified paid, but less than the session's amount: flagged, no order. */
  | ({ kind: "flagged_underpayment" } & Ids)
  /** The gateway order ended with part of the amount received: the order stays awaiting payment, flagged. */
  | ({ kind: "flagged_expired_partially_paid" } & WithOrder)
  /** The gateway cancelled the payment: the session is cancelled. */
  | ({ kind: "session_canceled" } & Ids)
  /** The gateway reports the payment failed: the session is marked as an error. */
  | ({ kind: "session_error" } & Ids)
  /** The gateway order ended with nothing received: the order placed before confirmation is cancelled. */
  | ({ kind: "order_canceled" } & WithOrder)
  /** A cancel or failure after the payment was recorded: state never moves backwards. */
  | ({ kind: "ignored_late_cancel" } & Ids)
  /** A cancel or failure for a session this store never saved: nothing points at it. */
  | { kind: "ignored_unknown_session"; sessionId: string }
  /** The verified event names no payment session. */
  | { kind: "ignored_no_session" }
  /** The gateway confirmed nothing to act on. */
  | { kind: "no_action"; action: NoActionGatewayAction; sessionId?: string }

export type WebhookEventOutcomeKind = WebhookEventOutcome["kind"]

/**
 * THE table: per variant, its stored word(s) and its class. `no_action` is stored as
 * `no_action_<gateway action>`, one word per action.
 */
const OUTCOME_DEFINITIONS: { [K in WebhookEventOutcomeKind]: { class: OutcomeClass; stored: K extends "no_action" ? null : string } } = {
  order_created: { class: "paid", stored: "order_created" },
  order_created_after_cancel: { class: "paid", stored: "order_created_after_cancel" },
  payment_captured: { class: "paid", stored: "payment_captured" },
  already_processed: { class: "paid", stored: "already_processed" },
  flagged_payment_after_cancel: { class: "flagged", stored: "flagged_payment_after_cancel" },
  flagged_underpayment: { class: "flagged", stored: "flagged_partial_payment" },
  flagged_expired_partially_paid: { class: "flagged", stored: "flagged_partial_payment" },
  session_canceled: { class: "cancelled", stored: "session_canceled" },
  session_error: { class: "cancelled", stored: "session_error" },
  order_canceled: { class: "cancelled", stored: "order_canceled" },
  ignored_late_cancel: { class: "ignored", stored: "ignored_late_cancel" },
  ignored_unknown_session: { class: "ignored", stored: "ignored_unknown_session" },
  ignored_no_session: { class: "ignored", stored: "ignored_no_session" },
  no_action: { class: "no_action", stored: null },
}

/** The word stored in the inbox's `outcome` column for an outcome. */
export function storedOutcome(outcome: WebhookEventOutcome): string {
  if (outcome.kind === "no_action") return `no_action_${outcome.action}`
  return OUTCOME_DEFINITIONS[outcome.kind].stored as string
}

/** The class of an outcome. */
export function outcomeClass(outcome: WebhookEventOutcome): OutcomeClass {
  return OUTCOME_DEFINITIONS[outcome.kind].class
}

function storedWordsOf(...classes: OutcomeClass[]): readonly string[] {
  const words = new Set<string>()
  for (const [kind, definition] of Object.entries(OUTCOME_DEFINITIONS)) {
    if (!classes.includes(definition.class)) continue
    if (kind === "no_action") for (const action of NO_ACTION_GATEWAY_ACTIONS) words.add(`no_action_${action}`)
    else words.add(definition.stored as string)
  }
  return Object.freeze([...words])
}

/** Every word processing can store. */
export const ALL_STORED_OUTCOMES = storedWordsOf("paid", "cancelled", "flagged", "ignored", "no_action")

/** Stored words after which a payment session counts as cancelled by the gateway. */
export const CANCEL_OUTCOMES = storedWordsOf("cancelled")

/** Stored words of events that recorded a payment in Medusa. */
export const PAID_OUTCOMES = storedWordsOf("paid")

/**
 * Stored words of events whose processing did not act: a repeat delivery of such an
 * event is processed again (an unsigned claim may have been checked before the real
 * payment existed).
 */
export const NOT_ACTED_OUTCOMES = storedWordsOf("no_action")

/**
 * Stored words of events that moved no money and never will (no action, ignored):
 * the only processed events the inbox may prune.
 */
export const NO_MONEY_MOVED_OUTCOMES = storedWordsOf("no_action", "ignored")

/** Whether processing that ended in `outcome` acted (see `NOT_ACTED_OUTCOMES`). */
export function outcomeActed(outcome: WebhookEventOutcome): boolean {
  return outcomeClass(outcome) !== "no_action"
}
