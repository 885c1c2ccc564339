import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { SandboxClock } from "./clock"
import { SANDBOX_PAYIN_WEBHOOK_SECRET } from "./credentials"
import type { SandboxContext } from "./context"
import { handleControl } from "./control"
import { FaultInjector, type ActiveFault, type Gateway } from "./faults"
import { escapeHtml, html, json, page, readRequest, type HttpResult, type ParsedRequest } from "./http"
import { loadSnapshot, saveSnapshot } from "./persistence"
import { RequestLog } from "./request-log"
import { WebhookDispatcher } from "./webhook-delivery"
import { handlePayInApi, payInEndpointName, payInError, payInFaultResponse, payInHealth } from "./payin/api"
import { handlePayInHostedPage } from "./payin/hosted-page"
import { sweepPayInExpiry } from "./payin/lifecycle"
import { accountOf as payInAccountOf, PayInState, type PayInConfig } from "./payin/state"
import { handleSecPaidApi, kongRequestId, secPaidEnvelope, secPaidFaultResponse } from "./secpaid/api"
import { handleSecPaidHostedPage } from "./secpaid/hosted-page"
import { accountOf as secPaidAccountOf, SecPaidState, type SecPaidConfig } from "./secpaid/state"

/**
 * The gateway sandbox: one HTTP server that plays SecPaid (/secpaid/…), PayIn (/payin/…)
 * and a control API (/__control/…) for tests and demos.
 */

export type SandboxOptions = {
  /** 0 = a random free port (tests). Default 9100. */
  port?: number
  /** Interface to listen on; default all interfaces. */
  host?: string
  /** Base URL put into pay links and payment URLs; default http://localhost:<port>. */
  publicUrl?: string
  /** JSON file to load state from and save it to, so a demo survives a restart. */
  persistFile?: string
  /** PayIn webhook retry waits; documented 1, 2, 4, 8, 16 s. Tests pass short ones. */
  retryDelaysMs?: number[]
  /** How long one webhook attempt may take before it counts as a network error (default 30 s, PayIn's limit). */
  webhookTimeoutMs?: number
  /** How long a "hang" fault holds the socket before closing it without an answer (default 60 s). */
  hangMs?: number
  /** Initial SecPaid settings (webhook format, docs generation, rate limit, profile URLs …). */
  secpaid?: Partial<SecPaidConfig>
  /** Initial PayIn settings (address pool, webhook endpoints …). */
  payin?: Partial<PayInConfig>
  /** Where warnings go; default console.warn. */
  warn?: (line: string) => void
}

export type RunningSandbox = {
  url: string
  port: number
  close(): Promise<void>
  /** In-process access to the sandbox's state, for tests that need more than the control API. */
  context: SandboxContext
}

export const DEFAULT_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 16000]

type Route =
  | { kind: "control" }
  | { kind: "index" }
  | { kind: "api"; gateway: Gateway; endpoint: string; run: (ctx: SandboxContext, req: ParsedRequest) => Promise<HttpResult> }
  | { kind: "page"; gateway: Gateway; endpoint: string }
  | { kind: "unknown" }

function classify(req: ParsedRequest): Route {
  const { path, method } = req
  if (path === "/__control" || path.startsWith("/__control/")) return { kind: "control" }
  if (path === "/" && method === "GET") return { kind: "index" }
  const secpaid = /^\/secpaid\/api\/v2\/([^/]*)\/?$/.exec(path)
  if (secpaid) {
    const name = decodeURIComponent(secpaid[1])
    return { kind: "api", gateway: "secpaid", endpoint: name, run: (ctx, r) => handleSecPaidApi(ctx, name, r) }
  }
  if (path.startsWith("/secpaid/")) return { kind: "page", gateway: "secpaid", endpoint: `${method} ${path}` }
  if (path === "/payin/health" || path === "/health") {
    return { kind: "api", gateway: "payin", endpoint: "GET /health", run: async (ctx) => payInHealth(ctx) }
  }
  const payin = /^\/payin\/api\/v1(\/.*)?$/.exec(path)
  if (payin) {
    const apiPath = payin[1] ?? "/"
    return { kind: "api", gateway: "payin", endpoint: payInEndpointName(method, apiPath), run: (ctx, r) => handlePayInApi(ctx, apiPath, r) }
  }
  if (path.startsWith("/payin/pay/")) {
    return { kind: "page", gateway: "payin", endpoint: `${method} /payin/pay/:id${path.endsWith("/transfer") ? "/transfer" : ""}` }
  }
  return { kind: "unknown" }
}

/** An unexpected exception inside a handler still answers in the gateway's own error shape. */
function internalError(gateway: Gateway | undefined, e: unknown): HttpResult {
  const message = `Sandbox internal error: ${(e as Error)?.message ?? String(e)}`
  if (gateway === "secpaid") return secPaidEnvelope(false, message, [], 500)
  if (gateway === "payin") return payInError(500, "INTERNAL_ERROR", "Internal Server Error", message)
  return json(500, { error: message })
}

function renderIndex(ctx: SandboxContext): string {
  const links = ctx.secpaid.links
    .slice(-20)
    .reverse()
    .map((l) => {
      const href = `/secpaid/payment?link_id=${encodeURIComponent(Buffer.from(String(l.id)).toString("base64"))}`
      return `<tr><td><a href="${href}">${l.id}</a></td><td>${escapeHtml(l.amount)} EUR</td><td>${escapeHtml(l.recipient_note)}</td><td>${l.status}</td><td>${escapeHtml(secPaidAccountOf(l))} · ${l.environment}</td></tr>`
    })
    .join("")
  const orders = ctx.payin.orders
    .slice(-20)
    .reverse()
    .map(
      (o) =>
        `<tr><td><a href="/payin/pay/${o.id}">${o.id.slice(0, 8)}…</a></td><td>${escapeHtml(o.amount)} ${o.token}</td><td>${escapeHtml(o.order_reference)}</td><td>${o.status}</td><td>${o.chain}</td><td>${escapeHtml(payInAccountOf(o))}</td></tr>`
    )
    .join("")
  return page(
    "Gateway sandbox",
    `<h1>Gateway sandbox</h1><p class="note">Sandbox time ${escapeHtml(ctx.clock.nowDate().toISOString())}. Control API at <code>/__control</code>; see sandbox/README.md.</p>
<h2>SecPaid links</h2><table>${links || "<tr><td>none yet</td></tr>"}</table>
<h2>PayIn orders</h2><table>${orders || "<tr><td>none yet</td></tr>"}</table>`
  )
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms))

function flattenHeaders(headers: ParsedRequest["headers"]): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : v
  return out
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<RunningSandbox> {
  const warn = opts.warn ?? ((line: string) => console.warn(line))
  const clock = new SandboxClock()
  const hangMs = opts.hangMs ?? 60_000
  const hanging = new Set<ServerResponse>()
  const ctx: SandboxContext = {
    baseUrl: "",
    clock,
    faults: new FaultInjector(),
    log: new RequestLog(),
    webhooks: new WebhookDispatcher({
      retryDelaysMs: opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS,
      timeoutMs: opts.webhookTimeoutMs ?? 30_000,
      now: () => clock.now(),
    }),
    secpaid: new SecPaidState(opts.secpaid),
    payin: new PayInState({
      ...(process.env.SANDBOX_PAYIN_WEBHOOK_URLS
        ? { webhookEndpoints: process.env.SANDBOX_PAYIN_WEBHOOK_URLS.split(",").filter(Boolean).map((url) => ({ url: url.trim(), secret: SANDBOX_PAYIN_WEBHOOK_SECRET })) }
        : {}),
      ...opts.payin,
    }),
    persist: () => {
      if (!opts.persistFile) return
      try {
        saveSnapshot(opts.persistFile, ctx)
      } catch (e) {
        warn(`Sandbox could not save state to ${opts.persistFile}: ${(e as Error).message}`)
      }
    },
  }
  if (opts.persistFile) loadSnapshot(opts.persistFile, ctx, warn)

  async function respond(route: Route, req: ParsedRequest): Promise<{ result?: HttpResult; fault?: ActiveFault }> {
    switch (route.kind) {
      case "control":
        return { result: await handleControl(ctx, req) }
      case "index":
        return { result: html(200, renderIndex(ctx)) }
      case "unknown":
        return { result: json(404, { error: "Not Found", message: `No sandbox route for ${req.method} ${req.path}` }) }
      case "page": {
        const handler = route.gateway === "secpaid" ? handleSecPaidHostedPage : handlePayInHostedPage
        return { result: (await handler(ctx, req)) ?? html(404, page("Not found", "<h1>Not found</h1>")) }
      }
      case "api": {
        if (route.gateway === "payin") await sweepPayInExpiry(ctx)
        const fault = ctx.faults.take(route.gateway, route.endpoint)
        if (fault?.kind === "429" || fault?.kind === "500") {
          const make = route.gateway === "secpaid" ? secPaidFaultResponse : payInFaultResponse
          return { result: make(fault.kind, fault.retryAfterSeconds ?? 1), fault }
        }
        if (fault?.kind === "hang") {
          if (fault.afterProcessing) await route.run(ctx, req)
          return { fault }
        }
        const result = await route.run(ctx, req)
        if (fault?.kind === "slow") await sleep(fault.delayMs ?? 2000)
        return { result, fault }
      }
    }
  }

  async function onRequest(rawReq: IncomingMessage, res: ServerResponse): Promise<void> {
    let req: ParsedRequest | undefined
    let route: Route = { kind: "unknown" }
    let outcome: { result?: HttpResult; fault?: ActiveFault }
    try {
      req = await readRequest(rawReq)
      route = classify(req)
      outcome = await respond(route, req)
    } catch (e) {
      outcome = { result: internalError("gateway" in route ? route.gateway : undefined, e) }
    }
    const gateway = "gateway" in route ? route.gateway : undefined
    if (req && gateway && (route.kind === "api" || route.kind === "page")) {
      ctx.log.add({
        gateway,
        method: req.method,
        endpoint: route.endpoint,
        path: req.path,
        status: outcome.result?.status ?? 0,
        body: req.body,
        rawBody: req.rawBody,
        query: Object.fromEntries(req.query),
        headers: flattenHeaders(req.headers),
        at: clock.nowDate().toISOString(),
        ...(outcome.fault ? { fault: outcome.fault.kind } : {}),
      })
    }
    if (req && req.method !== "GET" && route.kind !== "unknown") ctx.persist()
    if (!outcome.result) {
      // "hang": hold the socket without answering, as a gateway that stopped responding would.
      hanging.add(res)
      const timer = setTimeout(() => res.destroy(), outcome.fault?.delayMs ?? hangMs)
      res.on("close", () => {
        clearTimeout(timer)
        hanging.delete(res)
      })
      return
    }
    const headers: Record<string, string> = { ...outcome.result.headers }
    if (gateway === "secpaid") headers["x-kong-request-id"] = kongRequestId()
    if (gateway === "payin") headers["x-request-id"] = kongRequestId()
    if (!res.headersSent && !res.destroyed) {
      res.writeHead(outcome.result.status, headers)
      res.end(outcome.result.body)
    }
  }

  const server = createServer((req, res) => {
    onRequest(req, res).catch((e) => {
      warn(`Sandbox failed to answer ${req.method} ${req.url}: ${(e as Error).message}`)
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" })
      res.end(JSON.stringify({ error: "sandbox failure" }))
    })
  })
  const sockets = new Set<Socket>()
  server.on("connection", (s) => {
    sockets.add(s)
    s.on("close", () => sockets.delete(s))
  })
  server.on("clientError", (_err, socket) => socket.destroy())

  const requestedPort = opts.port ?? (process.env.SANDBOX_PORT ? Number(process.env.SANDBOX_PORT) : 9100)
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(requestedPort, opts.host, () => {
      server.off("error", reject)
      resolve()
    })
  })
  const port = (server.address() as AddressInfo).port
  ctx.baseUrl = (opts.publicUrl ?? process.env.SANDBOX_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/$/, "")

  // Orders expire in real time too (a demo left open); tests advance the clock instead.
  const sweeper = setInterval(() => {
    sweepPayInExpiry(ctx).catch((e) => warn(`Sandbox expiry sweep failed: ${(e as Error).message}`))
  }, 1000)
  sweeper.unref()

  let closing: Promise<void> | undefined
  return {
    url: ctx.baseUrl,
    port,
    context: ctx,
    close() {
      closing ??= new Promise<void>((resolve) => {
        clearInterval(sweeper)
        ctx.webhooks.close()
        for (const res of hanging) res.destroy()
        server.close(() => resolve())
        for (const s of sockets) s.destroy()
      })
      return closing
    },
  }
}
