import { createServer, type IncomingHttpHeaders } from "node:http"
import type { AddressInfo } from "node:net"
import { startSandbox, type RunningSandbox, type SandboxOptions } from "../server"
import { SandboxControl } from "../control-client"

export type ReceivedWebhook = { path: string; headers: IncomingHttpHeaders; body: string }

/** A tiny webhook receiver: records every POST and answers with the status `statusFor` chooses (default 200). */
export async function startReceiver(statusFor: (n: number) => number = () => 200) {
  const received: ReceivedWebhook[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on("data", (c: Buffer) => chunks.push(c))
    req.on("end", () => {
      received.push({ path: req.url ?? "/", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") })
      res.writeHead(statusFor(received.length))
      res.end()
    })
  })
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    received,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()) }),
  }
}

export async function startTestSandbox(opts: SandboxOptions = {}): Promise<{ sandbox: RunningSandbox; control: SandboxControl }> {
  const sandbox = await startSandbox({ port: 0, retryDelaysMs: [20, 40, 80, 160, 320], hangMs: 2000, warn: () => undefined, ...opts })
  return { sandbox, control: new SandboxControl(sandbox.url) }
}

/** POST to a SecPaid endpoint as JSON (or form when `form` is set); returns status, headers and the parsed envelope. */
export async function secpaid(url: string, name: string, token: string | undefined, body: Record<string, unknown>, form = false) {
  const headers: Record<string, string> = { "content-type": form ? "application/x-www-form-urlencoded" : "application/json" }
  if (token !== undefined) headers.token = token
  const res = await fetch(`${url}/secpaid/api/v2/${name}`, {
    method: "POST",
    headers,
    body: form ? new URLSearchParams(body as Record<string, string>).toString() : JSON.stringify(body),
  })
  return { status: res.status, headers: res.headers, json: (await res.json()) as any }
}

export async function payin(url: string, method: string, path: string, key: string | undefined, body?: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" }
  if (key !== undefined) headers.authorization = `Bearer ${key}`
  const res = await fetch(`${url}/payin/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  return { status: res.status, headers: res.headers, json: (await res.json()) as any }
}

/** Wait until `check` passes, polling; for background work such as PayIn retries. */
export async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs
  for (;;) {
    if (await check()) return
    if (Date.now() > end) throw new Error("condition not met in time")
    await new Promise((r) => setTimeout(r, 20))
  }
}
