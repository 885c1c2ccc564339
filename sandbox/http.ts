import type { IncomingHttpHeaders, IncomingMessage } from "node:http"

/**
 * What a sandbox handler answers. Handlers return a value instead of writing to
 * the socket so that injected faults (slow, hang after processing) and the request
 * log can wrap any of them the same way.
 */
export type HttpResult = {
  status: number
  headers?: Record<string, string>
  body: string
}

export type ParsedRequest = {
  method: string
  /** Path without query string. */
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  rawBody: string
  /** JSON object, form fields, or undefined when the body is empty or unparseable. */
  body: unknown
  /** True when the body was present but could not be parsed as its content type says. */
  bodyInvalid: boolean
  /** "json" | "form" | "none" — what the body turned out to be. */
  bodyKind: "json" | "form" | "none"
}

const MAX_BODY_BYTES = 1024 * 1024

export async function readRequest(req: IncomingMessage): Promise<ParsedRequest> {
  const url = new URL(req.url ?? "/", "http://sandbox.local")
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > MAX_BODY_BYTES) break
    chunks.push(chunk as Buffer)
  }
  const rawBody = Buffer.concat(chunks).toString("utf8")
  const contentType = String(req.headers["content-type"] ?? "").toLowerCase()
  const parsed = parseBody(rawBody, contentType)
  return {
    method: (req.method ?? "GET").toUpperCase(),
    path: url.pathname,
    query: url.searchParams,
    headers: req.headers,
    rawBody,
    ...parsed,
  }
}

function parseBody(raw: string, contentType: string): Pick<ParsedRequest, "body" | "bodyInvalid" | "bodyKind"> {
  if (raw.trim() === "") return { body: undefined, bodyInvalid: false, bodyKind: "none" }
  const looksJson = contentType.includes("json") || (!contentType.includes("form") && /^\s*[[{]/.test(raw))
  if (looksJson) {
    try {
      return { body: JSON.parse(raw), bodyInvalid: false, bodyKind: "json" }
    } catch {
      return { body: undefined, bodyInvalid: true, bodyKind: "json" }
    }
  }
  return { body: Object.fromEntries(new URLSearchParams(raw)), bodyInvalid: false, bodyKind: "form" }
}

export function json(status: number, value: unknown, headers: Record<string, string> = {}): HttpResult {
  return { status, headers: { "content-type": "application/json; charset=utf-8", ...headers }, body: JSON.stringify(value) }
}

export function html(status: number, markup: string): HttpResult {
  return { status, headers: { "content-type": "text/html; charset=utf-8" }, body: markup }
}

export function redirect(location: string): HttpResult {
  return { status: 303, headers: { location, "content-type": "text/plain; charset=utf-8" }, body: `See ${location}` }
}

export function escapeHtml(text: unknown): string {
  return String(text ?? "")
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;")
}

/** A minimal page shell shared by both hosted pages and the index. */
export function page(title: string, bodyHtml: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
.box{border:1px solid #ccc;border-radius:8px;padding:1rem 1.5rem;margin:1rem 0}
button{font-size:1rem;padding:.5rem 1rem;margin:.25rem .25rem .25rem 0;cursor:pointer}
.note{color:#666;font-size:.9rem} code{word-break:break-all} table{border-collapse:collapse} td,th{padding:.2rem .5rem;text-align:left}
.banner{background:#fff4ce;border:1px solid #e0c060;padding:.5rem;border-radius:4px;font-size:.85rem}
</style></head><body>
<div class="banner">Gateway sandbox — no real money moves.</div>
${bodyHtml}
</body></html>`
}

/** Header value as one string (first value when repeated). */
export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name.toLowerCase()]
  return Array.isArray(v) ? v[0] : v
}
