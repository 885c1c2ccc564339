import type { RunningSandbox } from "../../sandbox/server"
import { withDb } from "../../integration-tests/multi-instance/store-db"
import type { CheckoutRecord } from "./checkout"

/**
 * The storm's verdict, from the two sources of truth: the sandbox's own books (what
 * was actually paid) and the store's database (orders and payments per cart).
 * Nothing the plugin says about itself is used.
 */

export type PaidAtSandbox = { secpaid: Set<string>; payin: Set<string> }

export function paidAtSandbox(sandbox: RunningSandbox): PaidAtSandbox {
  const secpaid = new Set(
    sandbox.context.secpaid.transactions.filter((t) => t.status === "Success" && t.is_refund !== "Yes" && t.is_dispute !== "Yes").map((t) => String(t.pay_id))
  )
  const payin = new Set(sandbox.context.payin.orders.filter((o) => o.status === "completed").map((o) => o.id.toLowerCase()))
  return { secpaid, payin }
}

export const isPaidAt = (paid: PaidAtSandbox, r: CheckoutRecord) =>
  !!r.ref && (r.gateway === "secpaid" ? paid.secpaid.has(r.ref) : paid.payin.has(r.ref.toLowerCase()))

export type StoreBooks = {
  ordersPerCart: Map<string, number>
  paymentsPerCart: Map<string, number>
  ordersTotal: number
  /** Orders linked to no cart (email, creation time), e.g. left by a process killed inside Medusa's cart completion. */
  ordersWithoutCart: Array<{ id: string; email: string; createdAt: string }>
  inboxByStatus: Record<string, number>
  /** The store's own log of webhook deliveries, by verdict (accepted, duplicate, signature_mismatch …), rows counting several deliveries counted as that many. */
  deliveryVerdicts: Record<string, number>
}

export async function readStoreBooks(databaseUrl: string, cartIds: string[]): Promise<StoreBooks> {
  return withDb(databaseUrl, async (db) => {
    const orders = await db.query(`SELECT cart_id, count(*)::int AS n FROM order_cart WHERE cart_id = ANY($1) AND deleted_at IS NULL GROUP BY cart_id`, [cartIds])
    const payments = await db.query(
      `SELECT cpc.cart_id, count(*)::int AS n FROM payment p
         JOIN cart_payment_collection cpc ON cpc.payment_collection_id = p.payment_collection_id AND cpc.deleted_at IS NULL
        WHERE cpc.cart_id = ANY($1) AND p.deleted_at IS NULL GROUP BY cpc.cart_id`,
      [cartIds]
    )
    const total = await db.query(`SELECT count(*)::int AS n FROM "order" WHERE deleted_at IS NULL`)
    const orphans = await db.query(
      `SELECT o.id, o.email, o.created_at FROM "order" o
        WHERE o.deleted_at IS NULL AND NOT EXISTS (SELECT 1 FROM order_cart oc WHERE oc.order_id = o.id AND oc.deleted_at IS NULL)
        ORDER BY o.created_at`
    )
    const inbox = await db.query(`SELECT status, count(*)::int AS n FROM payment_gateway_webhook_event GROUP BY status`)
    const verdicts = await db.query(`SELECT gateway || ' ' || verdict AS v, sum(repeat_count)::int AS n FROM payment_gateway_webhook_delivery GROUP BY 1`)
    return {
      deliveryVerdicts: Object.fromEntries(verdicts.rows.map((r) => [r.v as string, r.n as number])),
      ordersPerCart: new Map(orders.rows.map((r) => [r.cart_id as string, r.n as number])),
      paymentsPerCart: new Map(payments.rows.map((r) => [r.cart_id as string, r.n as number])),
      ordersTotal: total.rows[0].n as number,
      ordersWithoutCart: orphans.rows.map((r) => ({ id: r.id as string, email: r.email as string, createdAt: new Date(r.created_at).toISOString() })),
      inboxByStatus: Object.fromEntries(inbox.rows.map((r) => [r.status as string, r.n as number])),
    }
  })
}

/** Inbox rows of one payment, for the diagnosis of a checkout that broke an invariant. */
export async function inboxRowsFor(databaseUrl: string, ref: string) {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `SELECT event_id, source, status, outcome, attempts, last_error, received_at, processed_at FROM payment_gateway_webhook_event WHERE lower(reference) = lower($1) ORDER BY received_at`,
      [ref]
    )
    return rows
  })
}

/** Lines of `text` that contain any of `secrets` (the line itself is never returned). */
export function linesWithSecret(text: string, secrets: string[]): number {
  return text.split("\n").filter((line) => secrets.some((s) => s && line.includes(s))).length
}

/** When each cart's order was created, as the store's database has it (epoch ms; first order of the cart). */
export async function orderCreatedAtPerCart(databaseUrl: string, cartIds: string[]): Promise<Map<string, number>> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `SELECT oc.cart_id, min(o.created_at) AS created_at FROM order_cart oc
         JOIN "order" o ON o.id = oc.order_id AND o.deleted_at IS NULL
        WHERE oc.cart_id = ANY($1) AND oc.deleted_at IS NULL GROUP BY oc.cart_id`,
      [cartIds]
    )
    return new Map(rows.map((r) => [r.cart_id as string, new Date(r.created_at).getTime()]))
  })
}

/** Bytes on disk of the plugin's tables (payment_gateway_*), indexes and TOAST included: in all and per table. */
export async function pluginTableBytes(databaseUrl: string): Promise<{ total: number; byTable: Record<string, number> }> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `SELECT c.relname, pg_total_relation_size(c.oid)::bigint AS bytes FROM pg_class c
        WHERE c.relname LIKE 'payment_gateway_%' AND c.relkind = 'r'`
    )
    const byTable = Object.fromEntries(rows.map((r) => [r.relname as string, Number(r.bytes)]))
    return { total: Object.values(byTable).reduce((s, n) => s + n, 0), byTable }
  })
}
