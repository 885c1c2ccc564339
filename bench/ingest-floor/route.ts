import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"

/**
 * POST /bench/ingest-floor — the floor of the ingest benchmark: the least
 * a webhook route in this Medusa process can do, storing one row per request. It reads
 * the raw bytes itself (body parser off, as the plugin's /hooks routes do), takes the
 * event id from the `x-bench-event-id` header and stores (event id, body) with one
 * INSERT … ON CONFLICT DO NOTHING through Medusa's own PostgreSQL pool — no signature,
 * no parsing, no delivery log, no processing.
 *
 * It is never part of the plugin: bench/run.ts copies this file into a throw-away local
 * plugin that medusa-config.ts loads only when MEDUSA_BENCH_PLUGIN_DIR is set. Only type
 * imports here: the file is loaded from that temporary folder.
 */
export const POST = async (req: MedusaRequest, res: MedusaResponse) => {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const pg = req.scope.resolve("__pg_connection__") as { raw(sql: string, bindings: unknown[]): Promise<unknown> }
  await pg.raw(`INSERT INTO bench_ingest_floor (event_id, body) VALUES (?, ?) ON CONFLICT (event_id) DO NOTHING`, [
    String(req.headers["x-bench-event-id"] ?? ""),
    Buffer.concat(chunks).toString("utf8"),
  ])
  res.status(200).json({ received: true })
}
