import type { WebhookEventResult, WebhookEventRow } from "../../modules/payment-gateways/service"
import type { WebhookEventOutcome } from "../../modules/payment-gateways/webhook-outcome"
import { runInboxEventOnce, type InboxPort } from "../run-inbox-event"

const ROW: WebhookEventRow = {
  id: "pgwe_1",
  gateway: "secpaid",
  provider_id: "pp_secpaid_secpaid",
  event_id: "pay_1:success",
  source: "webhook",
  event_type: "success",
  reference: "pay_1",
  raw_body: "",
  headers: {},
  status: "processing",
  outcome: null,
  session_id: null,
  attempts: 3,
  last_error: null,
}

function fakeInbox(options: { claimable?: boolean; recheckRequested?: boolean; deadAfterFailure?: boolean } = {}) {
  const calls = { completed: [] as Array<WebhookEventResult & { acted?: boolean }>, failed: [] as string[] }
  const inbox: InboxPort = {
    claimWebhookEvent: async (id) => (options.claimable === false ? undefined : { ...ROW, id }),
    completeWebhookEvent: async (_id, result) => {
      calls.completed.push(result)
      return options.recheckRequested && result.acted === false ? "requeued" : "processed"
    },
    failWebhookEvent: async (_id, error) => {
      calls.failed.push(error)
      return options.deadAfterFailure ? "dead_letter" : "failed"
    },
  }
  const lines: Array<[string, string]> = []
  const logger = { info: (m: string) => lines.push(["info", m]), warn: (m: string) => lines.push(["warn", m]), error: (m: string) => lines.push(["error", m]) }
  return { inbox, logger, calls, lines }
}

const decided = (outcome: WebhookEventOutcome) => async () => outcome

describe("runInboxEventOnce", () => {
  it("does nothing when another instance holds the event", async () => {
    const { inbox, logger, calls } = fakeInbox({ claimable: false })
    const decide = jest.fn()
    expect(await runInboxEventOnce({ inbox, logger, decide }, "pgwe_1")).toEqual({ result: { claimed: false } })
    expect(decide).not.toHaveBeenCalled()
    expect(calls.completed).toEqual([])
  })

  it("stores the decision's word and ids, as acted", async () => {
    const { inbox, logger, calls, lines } = fakeInbox()
    const outcome: WebhookEventOutcome = { kind: "flagged_underpayment", sessionId: "payses_1", cartId: "cart_1" }
    const { result, requeued } = await runInboxEventOnce({ inbox, logger, decide: decided(outcome) }, "pgwe_1")
    expect(calls.completed).toEqual([{ outcome: "flagged_partial_payment", sessionId: "payses_1", cartId: "cart_1", acted: true }])
    expect(result).toEqual({ claimed: true, status: "processed", outcome: "flagged_partial_payment", sessionId: "payses_1", cartId: "cart_1" })
    expect(requeued).toBe(false)
    expect(lines).toEqual([["info", "secpaid webhook event pay_1:success (pgwe_1) processed: flagged_partial_payment."]])
  })

  it("stores an unverified claim as not acted and reports a requeue when another delivery arrived meanwhile", async () => {
    const { inbox, logger, calls } = fakeInbox({ recheckRequested: true })
    const { requeued } = await runInboxEventOnce({ inbox, logger, decide: decided({ kind: "no_action", action: "not_supported" }) }, "pgwe_1")
    expect(calls.completed).toEqual([{ outcome: "no_action_not_supported", acted: false }])
    expect(requeued).toBe(true)
  })

  it("ignored events count as acted: a repeat delivery of them is not checked again", async () => {
    const { inbox, logger, calls } = fakeInbox({ recheckRequested: true })
    const { requeued } = await runInboxEventOnce({ inbox, logger, decide: decided({ kind: "ignored_unknown_session", sessionId: "payses_x" }) }, "pgwe_1")
    expect(calls.completed).toEqual([{ outcome: "ignored_unknown_session", sessionId: "payses_x", acted: true }])
    expect(requeued).toBe(false)
  })

  it("records a failure to be retried when the gateway is down", async () => {
    const { inbox, logger, calls, lines } = fakeInbox()
    const decide = async () => {
      throw new Error("SecPaid answered 503; try again later.")
    }
    const { result } = await runInboxEventOnce({ inbox, logger, decide }, "pgwe_1")
    expect(result).toEqual({ claimed: true, status: "failed", error: "SecPaid answered 503; try again later." })
    expect(calls.failed).toEqual(["SecPaid answered 503; try again later."])
    expect(calls.completed).toEqual([])
    expect(lines).toEqual([["warn", expect.stringMatching(/failed on attempt 3: SecPaid answered 503.* — it will be retried\.$/)]])
  })

  it("reports a dead letter after the last attempt", async () => {
    const { inbox, logger, lines } = fakeInbox({ deadAfterFailure: true })
    const decide = async () => {
      throw new Error("SecPaid answered 503; try again later.")
    }
    const { result } = await runInboxEventOnce({ inbox, logger, decide }, "pgwe_1")
    expect(result).toEqual({ claimed: true, status: "dead_letter", error: "SecPaid answered 503; try again later." })
    expect(lines).toEqual([["error", expect.stringMatching(/moved to the dead letters; retry it from the admin/)]])
  })
})
