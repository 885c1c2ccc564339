import { randomUUID } from "node:crypto"
import type { Gateway } from "./faults"

/** One attempt to deliver one webhook to one URL, as recorded by the sandbox. */
export type Delivery = {
  gateway: Gateway
  url: string
  eventId?: string
  eventType?: string
  /** HTTP status the receiver answered; absent on a network error, timeout or drop. */
  status?: number
  error?: string
  /** 1 for the first attempt, 2… for PayIn retries. */
  attempt: number
  body: string
  headers: Record<string, string>
  at: string
  /** Why the sandbox sent it this way, when a webhookBehaviour or a forgery shaped it. */
  note?: string
}

/** A webhook ready to send. Headers are built per attempt because PayIn signs each attempt with a fresh timestamp. */
export type OutgoingWebhook = {
  gateway: Gateway
  url: string
  eventId?: string
  eventType?: string
  body: string
  headers: (attempt: number) => Record<string, string>
  /** PayIn retries on 5xx / network errors; SecPaid never retries. */
  retryOn5xx: boolean
  note?: string
}

export type WebhookMode = "normal" | "duplicate" | "drop" | "delay" | "reorder"

export type WebhookBehaviourSpec = {
  gateway: Gateway
  mode: WebhookMode
  /** How many of the next webhooks are affected (default 1). */
  count?: number
  /** For "delay": how long to hold each webhook (default 1000 ms). */
  delayMs?: number
}

type Behaviour = { mode: WebhookMode; remaining: number; delayMs: number }

export type DispatcherOptions = {
  /** Waits before PayIn retry 2, 3, …; the documented schedule is 1, 2, 4, 8, 16 s. */
  retryDelaysMs: number[]
  /** How long a receiver may take to answer one attempt. */
  timeoutMs: number
  now: () => number
}

/**
 * Sends webhooks and keeps a record of every attempt. The first attempt of each
 * webhook is awaited by whoever triggered it (tests stay deterministic); retries,
 * delayed and released-late webhooks run in the background.
 */
export class WebhookDispatcher {
  private records: Delivery[] = []
  private behaviours = new Map<Gateway, Behaviour>()
  private held = new Map<Gateway, OutgoingWebhook[]>()
  private timers = new Set<NodeJS.Timeout>()
  private aborter = new AbortController()
  private closed = false

  constructor(private options: DispatcherOptions) {}

  setRetryDelays(delays: number[]): void {
    this.options.retryDelaysMs = delays
  }

  get retryDelaysMs(): number[] {
    return [...this.options.retryDelaysMs]
  }

  setBehaviour(spec: WebhookBehaviourSpec): void {
    this.behaviours.set(spec.gateway, {
      mode: spec.mode,
      remaining: spec.mode === "normal" ? 0 : Math.max(1, Math.floor(spec.count ?? 1)),
      delayMs: spec.delayMs ?? 1000,
    })
  }

  deliveries(filter: { gateway?: string; url?: string; eventId?: string } = {}): Delivery[] {
    return this.records.filter(
      (d) =>
        (!filter.gateway || d.gateway === filter.gateway) &&
        (!filter.url || d.url === filter.url) &&
        (!filter.eventId || d.eventId === filter.eventId)
    )
  }

  /** Forget deliveries, behaviours and held webhooks, and cancel pending retries. */
  reset(): void {
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
    this.records = []
    this.behaviours.clear()
    this.held.clear()
    this.aborter.abort()
    this.aborter = new AbortController()
  }

  close(): void {
    this.closed = true
    this.reset()
  }

  /** Sends webhooks in order, honouring the gateway's webhookBehaviour; resolves with the first attempts made now. */
  async dispatch(webhooks: OutgoingWebhook[]): Promise<Delivery[]> {
    const made: Delivery[] = []
    for (const webhook of webhooks) {
      const behaviour = this.consumeBehaviour(webhook.gateway)
      switch (behaviour?.mode) {
        case "drop":
          made.push(this.record(webhook, 1, { error: "dropped by the sandbox (webhookBehaviour drop)", headers: webhook.headers(1) }))
          continue
        case "delay":
          this.later(behaviour.delayMs, () => this.attempt(webhook, 1))
          continue
        case "reorder":
          this.held.set(webhook.gateway, [...(this.held.get(webhook.gateway) ?? []), webhook])
          continue
        case "duplicate":
          made.push(await this.attempt(webhook, 1))
          made.push(await this.attempt({ ...webhook, note: "duplicate (webhookBehaviour duplicate)" }, 1))
          break
        default:
          made.push(await this.attempt(webhook, 1))
      }
      // A held (reordered) webhook goes out right after the one that overtook it.
      const held = this.held.get(webhook.gateway) ?? []
      this.held.delete(webhook.gateway)
      for (const h of held.reverse()) made.push(await this.attempt({ ...h, note: "reordered (webhookBehaviour reorder)" }, 1))
    }
    return made
  }

  /** Sends any webhooks still held back by "reorder" (e.g. when nothing else followed them). */
  async flushHeld(): Promise<Delivery[]> {
    const made: Delivery[] = []
    for (const [gateway, list] of this.held) {
      this.held.delete(gateway)
      for (const h of list.reverse()) made.push(await this.attempt({ ...h, note: "reordered (webhookBehaviour reorder)" }, 1))
    }
    return made
  }

  private consumeBehaviour(gateway: Gateway): Behaviour | undefined {
    const b = this.behaviours.get(gateway)
    if (!b || b.mode === "normal" || b.remaining <= 0) return undefined
    b.remaining -= 1
    return { ...b }
  }

  private later(ms: number, fn: () => Promise<unknown>): void {
    if (this.closed) return
    const t = setTimeout(() => {
      this.timers.delete(t)
      fn().catch(() => undefined)
    }, ms)
    t.unref?.()
    this.timers.add(t)
  }

  private async attempt(webhook: OutgoingWebhook, attempt: number): Promise<Delivery> {
    const headers = webhook.headers(attempt)
    let status: number | undefined
    let error: string | undefined
    try {
      const signal = AbortSignal.any([this.aborter.signal, AbortSignal.timeout(this.options.timeoutMs)])
      const res = await fetch(webhook.url, { method: "POST", headers, body: webhook.body, redirect: "manual", signal })
      status = res.status
      await res.arrayBuffer().catch(() => undefined)
    } catch (e) {
      const cause = (e as { cause?: { code?: string; message?: string } }).cause
      error = cause?.code ?? cause?.message ?? (e as Error).message ?? String(e)
    }
    const delivery = this.record(webhook, attempt, { status, error, headers })
    const failedRetryably = status === undefined || status >= 500
    const delays = this.options.retryDelaysMs
    if (webhook.retryOn5xx && failedRetryably && attempt <= delays.length && !this.closed) {
      this.later(delays[attempt - 1], () => this.attempt(webhook, attempt + 1))
    }
    return delivery
  }

  private record(
    webhook: OutgoingWebhook,
    attempt: number,
    outcome: { status?: number; error?: string; headers: Record<string, string> }
  ): Delivery {
    const delivery: Delivery = {
      gateway: webhook.gateway,
      url: webhook.url,
      eventId: webhook.eventId,
      eventType: webhook.eventType,
      attempt,
      body: webhook.body,
      headers: outcome.headers,
      at: new Date(this.options.now()).toISOString(),
      ...(outcome.status !== undefined ? { status: outcome.status } : {}),
      ...(outcome.error !== undefined ? { error: outcome.error } : {}),
      ...(webhook.note ? { note: webhook.note } : {}),
    }
    if (!this.closed) this.records.push(delivery)
    return delivery
  }
}

export const newDeliveryId = () => `dlv_${randomUUID()}`
