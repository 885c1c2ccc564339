import { Client } from "pg"

/** Direct reads of a spawned store's database (the test process has no Medusa container for it). */
export async function withDb<T>(databaseUrl: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: databaseUrl })
  await db.connect()
  try {
    return await fn(db)
  } finally {
    await db.end()
  }
}

export async function ordersForCart(databaseUrl: string, cartId: string): Promise<string[]> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(`SELECT order_id FROM order_cart WHERE cart_id = $1 AND deleted_at IS NULL`, [cartId])
    return rows.map((r) => r.order_id as string)
  })
}

export async function capturedPaymentsForCart(databaseUrl: string, cartId: string): Promise<number> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `SELECT count(*)::int AS n FROM payment p
         JOIN cart_payment_collection cpc ON cpc.payment_collection_id = p.payment_collection_id AND cpc.deleted_at IS NULL
        WHERE cpc.cart_id = $1 AND p.captured_at IS NOT NULL AND p.deleted_at IS NULL`,
      [cartId]
    )
    return rows[0].n as number
  })
}

export async function inboxEvents(databaseUrl: string): Promise<Array<{ id: string; gateway: string; event_id: string; status: string; outcome: string | null; attempts: number }>> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(`SELECT id, gateway, event_id, status, outcome, attempts FROM payment_gateway_webhook_event ORDER BY received_at`)
    return rows
  })
}

/** One entry per delivery written so far: a row counting N deliveries (`repeat_count`) gives N entries. */
export async function deliveryVerdicts(databaseUrl: string): Promise<string[]> {
  return withDb(databaseUrl, async (db) => {
    const { rows } = await db.query(`SELECT verdict, repeat_count FROM payment_gateway_webhook_delivery`)
    return rows.flatMap((r) => Array<string>(Number(r.repeat_count)).fill(r.verdict))
  })
}
