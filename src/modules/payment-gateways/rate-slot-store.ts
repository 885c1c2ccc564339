import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import type { SlotGrant, SlotRequest, SlotStore } from "../../lib/request-budget"

const SLOT_TABLE = "payment_gateway_rate_slot"
/** When slots are free but held by another instance's statement this very moment: ask again shortly. */
const CONTENDED_RETRY_MS = 5

/**
 * Request slots in the store's PostgreSQL, shared by every instance (see the RateSlot
 * model). Time is the database's (`clock_timestamp()`), so instances whose clocks
 * disagree still share one exact window.
 *
 * Taking a slot is one statement: lock up to `reserve + 1` free slots, skipping those
 * another instance is taking right now, and spend the oldest only if all of them were
 * found. A slot counted towards the reserve is therefore free and not being taken by
 * anyone else, so the reserve holds across instances; when two instances contend for
 * the last slots above a reserve, one may be told to wait although a slot is left —
 * never the other way round. The same statement says how long until enough slots free.
 */
export class PostgresSlotStore implements SlotStore {
  constructor(private readonly pg: Knex) {}

  async take(key: string, request: SlotRequest): Promise<SlotGrant> {
    const first = await this.takeOnce(key, request)
    if (first.slots >= request.limit) return first.grant
    // First use of this key (or of a larger limit): create its rows, then take again.
    await this.pg.raw(
      `INSERT INTO ${SLOT_TABLE} (id, key, slot, used_at)
       SELECT ?::text || ':' || n::text, ?, n, to_timestamp(0) FROM generate_series(1, ?::int) AS n
       ON CONFLICT (id) DO NOTHING`,
      [key, key, request.limit]
    )
    return (await this.takeOnce(key, request)).grant
  }

  private async takeOnce(key: string, { limit, windowMs, reserve }: SlotRequest): Promise<{ grant: SlotGrant; slots: number }> {
    const result = await this.pg.raw(
      `WITH clock AS MATERIALIZED (SELECT clock_timestamp() AS now),
       candidates AS (
         SELECT s.id, s.used_at FROM ${SLOT_TABLE} s, clock
          WHERE s.key = ? AND s.slot <= ? AND s.deleted_at IS NULL
            AND s.used_at < clock.now - ?::int * interval '1 millisecond'
          ORDER BY s.used_at, s.slot
          LIMIT ?::int
          FOR UPDATE OF s SKIP LOCKED
       ),
       chosen AS (
         SELECT id FROM candidates WHERE (SELECT count(*) FROM candidates) > ?::int ORDER BY used_at LIMIT 1
       ),
       taken AS (
         UPDATE ${SLOT_TABLE} s SET used_at = clock.now, updated_at = clock.now
           FROM chosen, clock
          WHERE s.id = chosen.id
         RETURNING s.slot
       )
       SELECT (SELECT slot FROM taken) AS taken_slot,
              (SELECT count(*)::int FROM ${SLOT_TABLE} WHERE key = ? AND slot <= ? AND deleted_at IS NULL) AS slots,
              (SELECT ceil(extract(epoch FROM (s.used_at + ?::int * interval '1 millisecond' - clock.now)) * 1000)::bigint
                 FROM ${SLOT_TABLE} s, clock
                WHERE s.key = ? AND s.slot <= ? AND s.deleted_at IS NULL
                ORDER BY s.used_at, s.slot
               OFFSET ?::int LIMIT 1) AS frees_in_ms`,
      [key, limit, windowMs, reserve + 1, reserve, key, limit, windowMs, key, limit, reserve]
    )
    const row = result.rows[0] as { taken_slot: number | null; slots: number; frees_in_ms: string | number | null }
    if (row.taken_slot !== null) return { grant: { taken: true }, slots: row.slots }
    // The slot that makes `reserve + 1` free is released strictly after its window (+1 ms).
    const freesInMs = row.frees_in_ms === null ? windowMs : Number(row.frees_in_ms) + 1
    return { grant: { taken: false, retryInMs: Math.max(CONTENDED_RETRY_MS, freesInMs) }, slots: row.slots }
  }
}
