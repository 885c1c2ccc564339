import { build } from "esbuild"
import fs from "node:fs"
import http from "node:http"
import type { AddressInfo } from "node:net"
import path from "node:path"

/**
 * The demo storefront's server: bundles the browser code in `app/` with esbuild
 * once at start (kept in memory) and serves it with a one-page HTML shell. It
 * only serves files; every shop call goes from the browser to Medusa's Store API
 * through `@medusajs/js-sdk`, as in a real storefront. Used by `npm run dev`
 * (port 8000) and by the browser tests (a random port).
 */

export type StorefrontOptions = {
  /** 0 picks a free port. Default 8000, an origin Medusa's default STORE_CORS allows. */
  port?: number
  host?: string
  /** Medusa's public URL, e.g. http://localhost:9000. */
  backendUrl: string
  /** The publishable API key; a function when the key is only known after the server started (tests seed later). */
  publishableKey: string | (() => string)
}

export type RunningStorefront = {
  /** The storefront's origin, e.g. http://localhost:8000. */
  url: string
  /** The URL to register as the providers' `storefrontReturnUrl`. */
  returnUrl: string
  port: number
  close(): Promise<void>
}

/** The path the providers' `storefrontReturnUrl` must point at. */
export const STOREFRONT_RETURN_PATH = "/checkout/return"

const here = __dirname

export async function startStorefront(options: StorefrontOptions): Promise<RunningStorefront> {
  const backendUrl = new URL(options.backendUrl).origin
  const script = await bundleBrowserCode()
  const styles = fs.readFileSync(path.join(here, "styles.css"))
  const publishableKey = () => (typeof options.publishableKey === "function" ? options.publishableKey() : options.publishableKey)

  const server = http.createServer((req, res) => {
    const pathname = new URL(req.url ?? "/", "http://storefront").pathname
    if (req.method !== "GET" && req.method !== "HEAD") return send(res, 405, "text/plain", "Method not allowed")
    if (pathname === "/app.js") return send(res, 200, "text/javascript; charset=utf-8", script)
    if (pathname === "/styles.css") return send(res, 200, "text/css; charset=utf-8", styles)
    if (pathname === "/favicon.ico") return send(res, 204, "image/x-icon", "")
    if (pathname === "/" || pathname === STOREFRONT_RETURN_PATH) {
      return send(res, 200, "text/html; charset=utf-8", renderShell({ backendUrl, publishableKey: publishableKey() }), {
        // The page talks to Medusa only; redirects to the gateways are navigations, which connect-src does not limit.
        "content-security-policy": `default-src 'self'; connect-src 'self' ${backendUrl}; img-src 'self' data:; base-uri 'none'; form-action 'self'`,
        "referrer-policy": "no-referrer",
      })
    }
    return send(res, 404, "text/plain", "Not found")
  })

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 8000, options.host ?? "localhost", () => resolve())
  })
  const port = (server.address() as AddressInfo).port
  const url = `http://localhost:${port}`
  return {
    url,
    returnUrl: `${url}${STOREFRONT_RETURN_PATH}`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

async function bundleBrowserCode(): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [path.join(here, "app", "main.ts")],
    bundle: true,
    write: false,
    format: "esm",
    platform: "browser",
    target: "es2020",
    sourcemap: "inline",
    logLevel: "silent",
  })
  return result.outputFiles[0].contents
}

function renderShell(config: { backendUrl: string; publishableKey: string }): string {
  // JSON in a non-executed script tag: no inline script for the CSP to allow; "<" escaped so it cannot close the tag.
  const json = JSON.stringify(config).replace(/</g, "\\u003c")
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>Demo store · SecPaid & PayIn</title>
<link rel="stylesheet" href="/styles.css">
<script id="storefront-config" type="application/json">${json}</script>
<script type="module" src="/app.js"></script>
</head>
<body><main id="app"><p>Loading…</p></main></body>
</html>`
}

function send(res: http.ServerResponse, status: number, type: string, body: string | Uint8Array, headers: Record<string, string> = {}) {
  res.writeHead(status, { "content-type": type, "cache-control": "no-store", "x-content-type-options": "nosniff", ...headers })
  res.end(body)
}
