import crypto from "node:crypto"
import http from "node:http"
import { payInEventForOrder, payInPlainSignatureHeader, payInSignatureHeader, WRONG_PAYIN_SECRET } from "../../sandbox/payin/webhooks"
import type { PayInOrder } from "../../sandbox/control-client"

/**
 * The anonymous traffic of the attack storm (bench/chaos/attack.ts): what an attacker
 * who knows the store's public routes can send without any secret, and a sender that
 * spreads it over several loopback source addresses with a bounded number of sockets.
 *
 * - "secpaid-webhook": forged SecPaid "success" claims for links the store never issued
 *   (random digits): 20 % of SecPaid's own size (form-encoded), 5 % 512 random bytes with
 *   NUL and invalid UTF-8, the rest ~50 KB (form-encoded like SecPaid's, JSON, random bytes).
 * - "secpaid-return": the browser return URL of a REAL unpaid SecPaid session, claiming success.
 * - "payin-webhook": `order.completed` events of 1–5 KB naming real pending PayIn orders or
 *   random ones, with a wrong signature (timestamped or plain form) or none.
 */

export type AttackKind = "secpaid-webhook" | "secpaid-return" | "payin-webhook"
export const ATTACK_KINDS: AttackKind[] = ["secpaid-webhook", "secpaid-return", "payin-webhook"]

export type AttackRequest = {
  kind: AttackKind
  /** What exactly was sent, e.g. "form", "json", "random-bytes", "timestamped-wrong", "plain-wrong", "unsigned". */
  variant: string
  method: "GET" | "POST"
  path: string
  headers: Record<string, string>
  body?: Buffer
}

/** A pool of random printable paddings (and raw byte blobs): 10,000 fresh 50 KB strings would cost more CPU than the store under test. */
export function paddingPool(random: () => number, bytes: number, size = 32) {
  const pick = <T>(xs: T[]) => xs[Math.floor(random() * xs.length)]
  const text = Array.from({ length: size }, () => crypto.randomBytes(Math.ceil((bytes * 3) / 4)).toString("base64url").slice(0, bytes))
  const raw = Array.from({ length: Math.max(4, size / 4) }, () => {
    const b = crypto.randomBytes(bytes)
    // NUL bytes, a lone continuation byte, an overlong sequence, a truncated 3-byte sequence and 0xFF: none is valid UTF-8.
    for (let at = 0; at < b.length; at += 997) b.set([0x00, 0x80, 0xc0, 0xaf, 0xe2, 0x82, 0xff], Math.min(at, b.length - 7))
    return b
  })
  return { text: () => pick(text), raw: () => pick(raw) }
}

/** Digits of a link id far above any the gateway issues here, so a forged claim never names a real link by chance. */
export function randomPayId(random: () => number): string {
  return String(1_000_000_000 + Math.floor(random() * 900_000_000_000))
}

export function forgedSecPaidWebhook(random: () => number, pads: ReturnType<typeof paddingPool>): AttackRequest {
  const payId = randomPayId(random)
  const r = random()
  const base = { kind: "secpaid-webhook" as const, method: "POST" as const, path: "/hooks/secpaid" }
  // A fifth are claims of SecPaid's own size, which the store must parse and look up (the
  // ~50 KB ones can be refused by size alone); a few small ones are raw bytes with NUL.
  if (r < 0.2) {
    const body = `ResponseCode=1&data%5Bpay_id%5D=${payId}&data%5Bamount%5D=30.00&data%5Bstatus%5D=success`
    return { ...base, variant: "small-form", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(body) }
  }
  if (r < 0.25) {
    return { ...base, variant: "small-random-bytes", headers: { "content-type": "application/x-www-form-urlencoded" }, body: pads.raw().subarray(0, 512) }
  }
  if (r < 0.85) {
    const body = `ResponseCode=1&data%5Bpay_id%5D=${payId}&data%5Bamount%5D=30.00&data%5Bstatus%5D=success&padding=${pads.text()}`
    return { ...base, variant: "form", headers: { "content-type": "application/x-www-form-urlencoded" }, body: Buffer.from(body) }
  }
  if (r < 0.93) {
    const body = JSON.stringify({ ResponseCode: 1, data: { pay_id: Number(payId), amount: 30, status: "success" }, padding: pads.text() })
    return { ...base, variant: "json", headers: { "content-type": "application/json" }, body: Buffer.from(body) }
  }
  const contentType = random() < 0.5 ? "application/x-www-form-urlencoded" : "application/octet-stream"
  return { ...base, variant: "random-bytes", headers: { "content-type": contentType }, body: pads.raw() }
}

export function secPaidReturnClaim(sessionId: string, payId: string): AttackRequest {
  return {
    kind: "secpaid-return",
    variant: "success-claim",
    method: "GET",
    path: `/hooks/secpaid/return/${encodeURIComponent(sessionId)}?pay_id=${encodeURIComponent(payId)}&status=success`,
    headers: {},
  }
}

/**
 * A forged `order.completed`: for a real pending order, the event PayIn would send if it
 * had been paid; otherwise one for a random order id. 1–5 KB with a padding field.
 */
export function forgedPayInWebhook(random: () => number, pads: ReturnType<typeof paddingPool>, pending: PayInOrder | undefined): AttackRequest {
  const now = new Date()
  const padding = pads.text().slice(0, 1000 + Math.floor(random() * 4000))
  const event = pending
    ? payInEventForOrder({ ...pending, status: "completed" }, "order.completed", now.toISOString(), { confirmed_received: pending.amount, padding })
    : { id: `evt_order_completed_${crypto.randomUUID()}`, type: "order.completed", created_at: now.toISOString(), data: { order_id: crypto.randomUUID(), status: "completed", amount: "30.00", padding } }
  const body = JSON.stringify(event)
  const headers: Record<string, string> = { "content-type": "application/json", "user-agent": "PayIn-Webhook/1.0", "x-payin-event-id": event.id, "x-payin-event-type": event.type }
  const r = random()
  let variant = "unsigned"
  if (r < 0.4) {
    variant = "timestamped-wrong"
    headers["x-payin-signature"] = payInSignatureHeader(WRONG_PAYIN_SECRET, Math.floor(now.getTime() / 1000), body)
  } else if (r < 0.8) {
    variant = "plain-wrong"
    headers["x-payin-signature"] = payInPlainSignatureHeader(WRONG_PAYIN_SECRET, body)
  }
  return { kind: "payin-webhook", variant: `${pending ? "real-order" : "random-order"} ${variant}`, method: "POST", path: "/hooks/payin", headers, body: Buffer.from(body) }
}

/** The kinds in a shuffled order, so that all three run side by side for the whole attack. */
export function attackSchedule(counts: Record<AttackKind, number>, random: () => number): AttackKind[] {
  const schedule = ATTACK_KINDS.flatMap((k) => Array.from({ length: counts[k] }, () => k))
  for (let i = schedule.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[schedule[i], schedule[j]] = [schedule[j], schedule[i]]
  }
  return schedule
}

export type AttackTally = {
  planned: Record<AttackKind, number>
  sent: Record<string, number>
  /** Answers by kind, then by HTTP status ("error: …" when there was none). */
  answered: Record<string, Record<string, number>>
  /** Answers by kind and variant. */
  byVariant: Record<string, Record<string, number>>
  bySource: Record<string, { sent: number; answered: Record<string, number> }>
  bytesSent: number
  startedAt: number
  endedAt?: number
  /** True when the phase ended (or the time bound passed) before every planned request was sent. */
  stoppedEarly: boolean
}

export type AttackRun = {
  tally: AttackTally
  /** Stops taking new requests; resolves once those in flight have their answer or timed out. */
  stop(): Promise<AttackTally>
  done: Promise<AttackTally>
}

/**
 * Sends `schedule` to `127.0.0.1:<port>` with `sockets` requests in flight at most, request i
 * from source address `sources[i % sources.length]` (bound with `localAddress`; no
 * X-Forwarded-For). Bounded in count (the schedule) and time (`maxMs`, each request `requestTimeoutMs`).
 */
export function startAttack(input: {
  port: number
  sources: string[]
  sockets: number
  schedule: AttackKind[]
  build: (kind: AttackKind) => AttackRequest
  maxMs: number
  requestTimeoutMs?: number
}): AttackRun {
  const { port, sources, schedule } = input
  const requestTimeoutMs = input.requestTimeoutMs ?? 30_000
  const planned = Object.fromEntries(ATTACK_KINDS.map((k) => [k, schedule.filter((s) => s === k).length])) as Record<AttackKind, number>
  const tally: AttackTally = { planned, sent: {}, answered: {}, byVariant: {}, bySource: {}, bytesSent: 0, startedAt: Date.now(), stoppedEarly: false }
  const agents = new Map(sources.map((s) => [s, new http.Agent({ keepAlive: true, maxSockets: input.sockets })]))
  const deadline = tally.startedAt + input.maxMs
  let stopped = false
  let next = 0
  const add = (o: Record<string, number>, k: string) => (o[k] = (o[k] ?? 0) + 1)

  const sendOne = (req: AttackRequest, source: string) =>
    new Promise<string>((resolve) => {
      const headers = { ...req.headers, ...(req.body ? { "content-length": String(req.body.length) } : {}) }
      const r = http.request({ host: "127.0.0.1", port, method: req.method, path: req.path, headers, localAddress: source, agent: agents.get(source) }, (res) => {
        res.resume()
        res.on("end", () => resolve(String(res.statusCode)))
        res.on("error", (e) => resolve(`error: ${e.message}`))
      })
      r.setTimeout(requestTimeoutMs, () => r.destroy(new Error("timeout")))
      r.on("error", (e) => resolve(`error: ${(e as NodeJS.ErrnoException).code ?? e.message}`))
      r.end(req.body)
    })

  const worker = async () => {
    while (!stopped && next < schedule.length && Date.now() < deadline) {
      const i = next++
      const req = input.build(schedule[i])
      const source = sources[i % sources.length]
      add(tally.sent, req.kind)
      tally.bytesSent += req.body?.length ?? 0
      const src = (tally.bySource[source] ??= { sent: 0, answered: {} })
      src.sent++
      const status = await sendOne(req, source)
      add((tally.answered[req.kind] ??= {}), status)
      add((tally.byVariant[`${req.kind} ${req.variant}`] ??= {}), status)
      add(src.answered, status)
    }
  }
  const done = Promise.all(Array.from({ length: Math.max(1, input.sockets) }, worker)).then(() => {
    tally.endedAt = Date.now()
    tally.stoppedEarly = next < schedule.length
    for (const a of agents.values()) a.destroy()
    return tally
  })
  return {
    tally,
    done,
    stop: () => {
      stopped = true
      return done
    },
  }
}
