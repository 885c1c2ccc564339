import { AxiosError, AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from "axios"

/**
 * An in-memory SecPaid behind an axios adapter: tests replace the network, not
 * the client. It follows the documented behaviour closely enough for the
 * provider's decisions (links, Used/Cancelled/Deleted, transaction rows).
 */
export type FakeCall = { endpoint: string; body: Record<string, unknown>; headers: Record<string, string>; contentType: string }
export type FakeReply = { status?: number; body: unknown; headers?: Record<string, string> } | "timeout" | "refused"
export type FakeOverride = (call: FakeCall) => FakeReply | undefined

export type FakeLink = { id: string; amount: string; note: string; status: "Unused" | "Used" | "Cancelled" | "Deleted"; refund?: string }
export type FakeRow = Record<string, string>

export const FAKE_KEY = "sp_test_key_ABCDEFGHIJ123456"

export function envelope(data: unknown, ok = true, message = ok ? "Success" : "Error") {
  return { ResponseCode: ok ? 1 : 0, ResponseMsg: message, Result: ok ? "True" : "False", ServerTime: "CEST", data }
}

export class FakeSecPaid {
  calls: FakeCall[] = []
  links: FakeLink[] = []
  rows: FakeRow[] = []
  overrides: FakeOverride[] = []
  private nextId = 1000

  /** Called before normal handling; returning a reply short-circuits (consumed if `once`). */
  override(fn: FakeOverride): void {
    this.overrides.push(fn)
  }

  callsTo(endpoint: string): FakeCall[] {
    return this.calls.filter((c) => c.endpoint === endpoint)
  }

  pay(id: string, amount?: string): void {
    const link = this.links.find((l) => l.id === id)!
    link.status = "Used"
    this.rows.push({
      pay_id: id,
      transaction_id: `20261121-pi-${id}`,
      amount: amount ?? link.amount,
      status: "Success",
      recipient_note: link.note,
      is_refund: "No",
      is_dispute: "No",
      transaction_type: "Basic",
    })
  }

  adapter: AxiosAdapter = async (config: InternalAxiosRequestConfig) => {
    const headers = AxiosHeaders.from(config.headers as never).toJSON() as Record<string, string>
    const contentType = String(headers["Content-Type"] ?? headers["content-type"] ?? "")
    const raw = typeof config.data === "string" ? config.data : ""
    const body: Record<string, unknown> = contentType.includes("json")
      ? JSON.parse(raw || "{}")
      : Object.fromEntries(new URLSearchParams(raw))
    const call: FakeCall = { endpoint: String(config.url), body, headers, contentType }
    this.calls.push(call)
    let reply: FakeReply | undefined
    for (const o of this.overrides) {
      reply = o(call)
      if (reply) break
    }
    reply ??= this.handle(call)
    if (reply === "timeout") throw new AxiosError(`timeout of ${config.timeout}ms exceeded`, "ETIMEDOUT", config)
    if (reply === "refused") throw new AxiosError("connect ECONNREFUSED 127.0.0.1:1", "ECONNREFUSED", config)
    return {
      data: typeof reply.body === "string" ? reply.body : JSON.stringify(reply.body),
      status: reply.status ?? 200,
      statusText: "",
      headers: { "x-kong-request-id": "kong-req-1", ...(reply.headers ?? {}) },
      config,
    }
  }

  /** Creates a link as if a createLink had been processed (used by "timed out after processing"). */
  createLinkFrom(body: Record<string, unknown>): FakeLink {
    const link: FakeLink = { id: String(this.nextId++), amount: String(body.amount), note: String(body.recipient_note ?? ""), status: "Unused" }
    this.links.push(link)
    return link
  }

  private handle(call: FakeCall): FakeReply {
    const b = call.body
    switch (call.endpoint) {
      case "createLink":
      case "createSplitLink": {
        const link = this.createLinkFrom(b)
        return { body: envelope({ id: link.id, pay_link: `https://fake.secpaid/payment?link_id=${Buffer.from(link.id).toString("base64")}`, status: "Unused", amount: link.amount, recipient_note: link.note }) }
      }
      case "getPayInTransactions":
        return { body: envelope(this.rows.filter((r) => !b.pay_id || r.pay_id === b.pay_id), true, "List retrived successfully") }
      case "getMyUnusedLinks":
      case "getMyUsedLinks": {
        const used = call.endpoint === "getMyUsedLinks"
        const rows = this.links
          .filter((l) => (used ? l.status === "Used" : l.status === "Unused" || l.status === "Cancelled"))
          .filter((l) => !b.search || l.note.includes(String(b.search)))
          .map((l) => ({ linktopay_id: l.id, recipient_note: l.note, amount: l.amount, is_cancelled: l.status === "Cancelled" ? "Yes" : "No", ...(used ? { paid_on: "2026-11-21" } : { pay_link: `https://fake.secpaid/payment?link_id=${l.id}` }) }))
        return { body: envelope(rows, true, "List retrived successfully") }
      }
      case "deleteLink": {
        const link = this.links.find((l) => l.id === b.link_id && l.status !== "Deleted")
        if (!link) return { body: envelope([], false, "Link not found") }
        if (link.status === "Used") return { body: envelope([], false, "This link is already used") }
        link.status = "Deleted"
        return { body: envelope({ link_id: link.id }) }
      }
      case "refundPayment": {
        const link = this.links.find((l) => l.id === b.pay_id)
        if (!link) return { body: envelope([], false, "Link not found") }
        if (link.refund) return { body: envelope([], false, "Refund already requested") }
        link.refund = String(b.refund_amount)
        return { body: envelope({ pay_id: link.id, refund_amount: link.refund, status: "Pending" }) }
      }
      default:
        return { status: 404, body: envelope([], false, "Endpoint not found") }
    }
  }
}

export const noSleep = async () => undefined

export function recordingLogger() {
  const lines: Array<{ level: string; message: string }> = []
  const log = (level: string) => (message: string) => void lines.push({ level, message })
  return {
    lines,
    logger: { info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug"), log: log("log"), activity: log("activity") } as any,
  }
}
