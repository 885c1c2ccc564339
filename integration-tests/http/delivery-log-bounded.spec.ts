import http from "node:http"
import { randomBytes } from "node:crypto"
import { medusaSuite } from "../helpers/medusa-runner"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import { DELIVERY_LOG_ROW_LIMITS } from "../../src/modules/payment-gateways/delivery-log-row"
import { DELIVERY_LOG_THROTTLE_LIMITS } from "../../src/modules/payment-gateways/delivery-log-throttle"
import { inbox, inboxUrl } from "./inbox-helpers"

jest.setTimeout(600_000)

/**
 * Anonymous traffic against /hooks/secpaid and /hooks/payin costs bounded storage:
 * 2,000 forged posts with ~50 KB bodies (random bytes, NUL bytes, invalid UTF-8) from a
 * few steady source addresses and many rotating ones (X-Forwarded-For: Medusa trusts
 * one proxy, so a client without one chooses `req.ip`). Every post is answered; the odd
 * bodies are logged as escaped text; rows of their own stay within the per-source and
 * per-gateway caps and the rest is counted, so that the counts add up to what was sent.
 *
 * The SecPaid bodies are random bytes, which never parse as a claim: the route stores no
 * inbox event for them, so the growth printed is the delivery log's alone.
 */
const POSTS = 2_000
const BODY_BYTES = 50 * 1024
const CONCURRENCY = 16
const STEADY_SOURCES = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]

type DeliveryRow = { gateway: string; verdict: string; remote_address: string; repeat_count: number; body_excerpt: string | null; headers: unknown; minute: Date; hour: Date }

type Post = { gateway: "secpaid" | "payin"; body: Buffer; localAddress: string; forwardedFor?: string; headers: Record<string, string> }

function send(post: Post): Promise<number> {
  const url = new URL(inboxUrl(post.gateway))
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: url.hostname === "localhost" ? "127.0.0.1" : url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        localAddress: post.localAddress,
        agent: false,
        headers: {
          ...post.headers,
          "content-length": String(post.body.length),
          ...(post.forwardedFor ? { "x-forwarded-for": post.forwardedFor } : {}),
        },
      },
      (res) => {
        res.resume()
        res.on("end", () => resolve(res.statusCode ?? 0))
      }
    )
    req.on("error", reject)
    req.end(post.body)
  })
}

/** Bodies of ~50 KB: random bytes (NUL and invalid UTF-8 among them), and JSON with a NUL and a lone 0xff up front. */
function bodies(): Buffer[] {
  const out: Buffer[] = []
  for (let i = 0; i < 8; i++) out.push(randomBytes(BODY_BYTES))
  for (let i = 0; i < 8; i++) {
    out.push(Buffer.concat([Buffer.from(`{"id":"evt_forged_${i}\u0000","type":"order.completed","x":"`), Buffer.from([0xff, 0xe2, 0x82]), Buffer.alloc(BODY_BYTES, "a"), Buffer.from('"}')]))
  }
  return out
}

function forgedPosts(): Post[] {
  const pool = bodies()
  const posts: Post[] = []
  for (let i = 0; i < POSTS; i++) {
    const gateway = i % 2 ? "payin" : "secpaid"
    // SecPaid's route reads at most 16 KB (a notification is a few hundred bytes): one in four of its
    // posts is ~50 KB and refused unread (413), the rest are cut to 12 KB and read and refused (400).
    const body = gateway === "secpaid" && i % 8 !== 0 ? pool[i % pool.length].subarray(0, 12_000) : pool[i % pool.length]
    // Of each gateway's posts, three in four from a steady address (bound on loopback), one in four from a rotating spoofed one.
    const rotating = Math.floor(i / 2) % 4 === 3
    const headers: Record<string, string> =
      gateway === "payin"
        ? { "content-type": "application/json", ...(i % 3 ? { "x-payin-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"00".repeat(32)}` } : {}) }
        : { "content-type": i % 3 ? "application/x-www-form-urlencoded" : "application/octet-stream" }
    for (let h = 0; h < 40; h++) headers[`x-padding-${h}`] = "p".repeat(300)
    posts.push({ gateway, body, headers, localAddress: STEADY_SOURCES[i % STEADY_SOURCES.length], forwardedFor: rotating ? `198.51.100.${i % 250}` : undefined })
  }
  return posts
}

async function pluginTablesBytes(pg: Knex): Promise<number> {
  const { rows } = await pg.raw(
    `SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint AS bytes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND c.relname LIKE 'payment\\_gateway\\_%' AND n.nspname = current_schema()`
  )
  return Number(rows[0].bytes)
}

medusaSuite({
  testSuite: ({ getContainer }) => {
    const pg = () => getContainer().resolve<Knex>("__pg_connection__")

    it(`${POSTS} forged posts with ~50 KB bodies: all answered, odd bytes logged as text, rows bounded, counts add up`, async () => {
      const service = inbox(getContainer())
      await service.webhookDeliveryLog().flush({ includeOpenWindow: true })
      await pg().raw(`DELETE FROM payment_gateway_webhook_delivery`)
      await pg().raw(`VACUUM FULL payment_gateway_webhook_delivery`)
      const eventsBefore = Number((await pg().raw(`SELECT count(*) AS n FROM payment_gateway_webhook_event`)).rows[0].n)
      const bytesBefore = await pluginTablesBytes(pg())

      const posts = forgedPosts()
      const statuses: number[] = []
      let next = 0
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < posts.length) statuses.push(await send(posts[next++]))
        })
      )
      expect(statuses).toHaveLength(POSTS)
      // Random bytes are no SecPaid claim (400), over 16 KB not even read (413); unsigned or badly signed PayIn posts are refused (401).
      expect(new Set(statuses)).toEqual(new Set([400, 401, 413]))

      await service.webhookDeliveryLog().flush({ includeOpenWindow: true })
      const bytesAfter = await pluginTablesBytes(pg())

      const { rows }: { rows: DeliveryRow[] } = await pg().raw(
        `SELECT gateway, verdict, remote_address, repeat_count, body_excerpt, headers, date_trunc('minute', received_at) AS minute, date_trunc('hour', received_at) AS hour
           FROM payment_gateway_webhook_delivery`
      )
      const total = rows.reduce((n, r) => n + r.repeat_count, 0)
      expect(total).toBe(POSTS)
      expect(Number((await pg().raw(`SELECT count(*) AS n FROM payment_gateway_webhook_event`)).rows[0].n)).toBe(eventsBefore)

      // Rows of their own: within the hourly caps per (gateway, source) and per gateway.
      // (A row of its own has the delivery's headers; refusals made before the body was read have no excerpt.)
      const own = rows.filter((r) => r.headers !== null)
      const single = own.filter((r): r is DeliveryRow & { body_excerpt: string } => r.body_excerpt !== null)
      const perSource = new Map<string, number>()
      const perGateway = new Map<string, number>()
      for (const r of own) {
        const minute = new Date(r.hour).toISOString()
        perSource.set(`${r.gateway} ${r.remote_address} ${minute}`, (perSource.get(`${r.gateway} ${r.remote_address} ${minute}`) ?? 0) + 1)
        perGateway.set(`${r.gateway} ${minute}`, (perGateway.get(`${r.gateway} ${minute}`) ?? 0) + 1)
      }
      expect(Math.max(...perSource.values())).toBeLessThanOrEqual(DELIVERY_LOG_THROTTLE_LIMITS.perSourcePerRowWindow)
      expect(Math.max(...perGateway.values())).toBeLessThanOrEqual(DELIVERY_LOG_THROTTLE_LIMITS.perGatewayPerRowWindow)
      const hours = new Set([...perGateway.keys()].map((k) => k.split(" ")[1])).size
      expect(own.length).toBeLessThanOrEqual(hours * 2 * DELIVERY_LOG_THROTTLE_LIMITS.perGatewayPerRowWindow)
      const minutes = new Set(rows.map((r) => new Date(r.minute).toISOString())).size
      // The rest: one row per (gateway, source, verdict, status) and minute, sources folded into "*" beyond the key cap.
      const countingRows = rows.filter((r) => r.headers === null)
      expect(countingRows.length).toBeGreaterThan(0)
      expect(countingRows.every((r) => r.repeat_count >= 1 && r.body_excerpt === null)).toBe(true)
      expect(countingRows.length).toBeLessThanOrEqual((minutes + 1) * (DELIVERY_LOG_THROTTLE_LIMITS.maxAggregateKeys + 2 * 3))
      // Steady sources were seen as themselves; spoofed ones as what they claimed.
      const sources = new Set(rows.map((r) => r.remote_address))
      expect([...sources].some((s) => String(s).endsWith("127.0.0.2"))).toBe(true)
      expect([...sources].some((s) => String(s).startsWith("198.51.100."))).toBe(true)

      // The odd bytes are there, as escaped text, and every stored part is within its limit.
      const withNul = single.filter((r) => r.body_excerpt.includes("\\x00"))
      expect(withNul.length).toBeGreaterThan(0)
      expect(single.some((r) => r.body_excerpt.includes("\\x00\",\"type\":\"order.completed\",\"x\":\"\\xff\\xe2\\x82aaa"))).toBe(true)
      for (const r of single) {
        expect(Buffer.byteLength(r.body_excerpt)).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.bodyExcerptBytes)
        expect(Buffer.byteLength(JSON.stringify(r.headers))).toBeLessThanOrEqual(DELIVERY_LOG_ROW_LIMITS.headersJsonBytes)
      }

      const growth = bytesAfter - bytesBefore
      console.log(
        `delivery-log-bounded: ${POSTS} forged posts of ~${BODY_BYTES / 1024} KB → ${rows.length} delivery rows (${single.length} with excerpt, ${countingRows.length} counting the rest over ${minutes} minute(s)); ` +
          `plugin tables grew by ${growth} bytes = ${((growth * 10_000) / POSTS / 1_048_576).toFixed(2)} MB per 10,000 posts (budget 5 MB)`
      )
    })
  },
})
