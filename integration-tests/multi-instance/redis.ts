import net from "node:net"

/**
 * The Redis the two-instance test uses: REDIS_URL as given to `npm test` (scripts/test.mjs
 * hands it over as TEST_REDIS_URL so the in-process suites keep Medusa's in-memory
 * modules), else the machine's default Redis.
 */
export function redisUrlForTests(): string {
  return process.env.TEST_REDIS_URL || process.env.REDIS_URL || "redis://127.0.0.1:6379"
}

/**
 * The same Redis on another logical database, so the spawned instances' queues never
 * mix with those of other Medusa processes (e.g. the in-process test apps) on it.
 */
export function isolatedRedisUrl(url: string, db: number): string {
  const u = new URL(url)
  u.pathname = `/${db}`
  return u.toString()
}

/** PING with a short timeout; resolves with the reason when Redis cannot be used. */
export async function redisUnreachableReason(url: string, timeoutMs = 2000): Promise<string | undefined> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return `REDIS_URL "${url}" is not a URL`
  }
  return new Promise((resolve) => {
    const socket = net.connect({ host: u.hostname || "127.0.0.1", port: Number(u.port || 6379) })
    const done = (reason?: string) => {
      socket.destroy()
      resolve(reason)
    }
    socket.setTimeout(timeoutMs, () => done(`no answer from Redis at ${u.host} within ${timeoutMs} ms`))
    socket.once("error", (e) => done(`Redis at ${u.host} is not reachable (${e.message})`))
    socket.once("connect", () => {
      const auth = u.password ? `AUTH ${decodeURIComponent(u.password)}\r\n` : ""
      socket.write(`${auth}PING\r\n`)
    })
    let buf = ""
    socket.on("data", (d) => {
      buf += d.toString()
      if (buf.includes("+PONG")) done(undefined)
      else if (buf.startsWith("-")) done(`Redis at ${u.host} refused PING (${buf.trim()})`)
    })
  })
}
