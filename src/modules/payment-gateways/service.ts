import { generateEntityId, MedusaService } from "@medusajs/framework/utils"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import type { SavedGatewaySettings } from "../../lib/gateway-settings"
import { GatewaySetting } from "./models/gateway-setting"
import { GatewaySettingsStore, type GatewaySettingsPatch, type SettingsRowSelector } from "./gateway-settings-store"
import { IssuedReference } from "./models/issued-reference"
import { PaymentFlag, type PaymentFlagKind } from "./models/payment-flag"
import type { AggregatedDeliveries } from "./delivery-log-throttle"
import { WebhookDeliveryLog } from "./delivery-log-recorder"
import { WebhookDelivery, type DeliveryVerdict } from "./models/webhook-delivery"
import { GATEWAYS, WebhookEvent, type GatewayId, type WebhookEventStatus } from "./models/webhook-event"
import { backoffDelayMs, parsePaymentGatewaysOptions, type PaymentGatewaysOptions } from "./options"
import { PostgresSlotStore } from "./rate-slot-store"
import { registerPaymentGatewaysModule } from "./runtime"
import { NO_MONEY_MOVED_OUTCOMES, NOT_ACTED_OUTCOMES } from "./webhook-outcome"

const EVENT_TABLE = "payment_gateway_webhook_event"
const FLAG_TABLE = "payment_gateway_payment_flag"
const DELIVERY_TABLE = "payment_gateway_webhook_delivery"
const REFERENCE_TABLE = "payment_gateway_issued_reference"
/** Event types that claim a payment (SecPaid `success`, PayIn `order.completed`). */
const PAYMENT_CLAIM_TYPES = ["success", "order.completed"]
/** An unsigned claim repeated after a check that found nothing is checked again at most this often. */
const REVERIFY_INTERVAL_SECONDS = 10

export type StoreWebhookEventInput = {
  gateway: GatewayId
  /** The registration the event is for (`pp_secpaid_eu`): processing asks that provider. */
  providerId?: string
  eventId: string
  source?: "webhook" | "reconciliation"
  eventType?: string
  reference?: string
  /** The Medusa payment session, when the route already knows it. */
  sessionId?: string
  /**
   * The gateway's webhook is unsigned (SecPaid): a payment claim delivered again after
   * an earlier check found nothing is checked again (see `storeWebhookEvent`). Signed
   * events are the gateway's own word; a repeat of one is only a duplicate.
   */
  reverifyRepeatedClaims?: boolean
  rawBody: Buffer
  headers?: Record<string, unknown>
}

/**
 * What storing a delivery did: a new (or re-queued) event, a plain duplicate, or a
 * duplicate that arrived while the event was being processed (`recheck`: it is
 * processed once more if that processing ends without acting).
 */
export type StoredWebhookEvent = { id: string; duplicate: boolean; recheck?: boolean }

/** A row as the processor sees it (snake_case, straight from PostgreSQL). */
export type WebhookEventRow = {
  id: string
  gateway: GatewayId
  /** Null on events stored before registrations were recorded: the gateway's only registration. */
  provider_id: string | null
  event_id: string
  source: "webhook" | "reconciliation"
  event_type: string | null
  reference: string | null
  raw_body: string
  headers: Record<string, unknown> | null
  status: WebhookEventStatus
  outcome: string | null
  session_id: string | null
  attempts: number
  last_error: string | null
  /**
   * When an attempt began that never ended (its process died while processing it; the
   * inbox took the event over), until the event is processed. Whatever that attempt left
   * half done was made after this moment.
   */
  interrupted_attempt_at?: Date | null
}

export type WebhookEventResult = {
  outcome: string
  sessionId?: string
  cartId?: string
  orderId?: string
}

export type RecordDeliveryInput = {
  gateway: GatewayId
  /** The registration the delivery was for, when the route could tell. */
  providerId?: string
  verdict: DeliveryVerdict
  httpStatus: number
  detail?: string
  eventId?: string
  webhookEventId?: string
  headers?: Record<string, unknown>
  bodyExcerpt?: string
  bodyBytes: number
  remoteAddress?: string
}

export type PruneWebhookDeliveriesResult = {
  deleted: number
  /** DELETE statements run (each at most `batchSize` rows). */
  batches: number
  /** Rows received before this were deleted; absent when the log is kept forever. */
  before?: Date
}

export type PruneIgnoredWebhookEventsResult = {
  deleted: number
  /** DELETE statements run (each at most `batchSize` rows). */
  batches: number
  /** Events processed before this were deleted; absent when they are kept forever. */
  before?: Date
}

/** `?, ?, …` for an SQL `IN (…)` of `values`. */
function placeholders(values: readonly unknown[]): string {
  return values.map(() => "?").join(", ")
}

type InjectedDependencies = { __pg_connection__: Knex; logger?: { warn(message: string): void } }

/** The module container's logger; Medusa registers one, a bare test container may not (awilix throws on a missing key). */
function optionalLogger(container: InjectedDependencies): InjectedDependencies["logger"] {
  try {
    return container.logger
  } catch {
    return undefined
  }
}

/**
 * The plugin's own module: the durable webhook inbox, the delivery log, the
 * merchant's payment flags and the gateway settings saved in the admin. State changes that must be atomic across several
 * Medusa instances (store-once, claim-for-processing) are single SQL statements.
 */
/** A payment the merchant must look at, as processing finds it. */
export type PaymentFlagInput = {
  gateway: GatewayId
  /** The registration the payment went through. */
  providerId?: string
  reference: string
  kind: PaymentFlagKind
  sessionId?: string
  orderId?: string
  details?: Record<string, unknown>
}

export default class PaymentGatewaysModuleService extends MedusaService({ WebhookEvent, WebhookDelivery, PaymentFlag, GatewaySetting, IssuedReference }) {
  protected readonly pg_: Knex
  private readonly logger_?: { warn(message: string): void }
  readonly options_: PaymentGatewaysOptions

  constructor(container: InjectedDependencies, options?: unknown) {
    // eslint-disable-next-line prefer-rest-params
    super(...arguments)
    this.pg_ = container.__pg_connection__
    this.options_ = parsePaymentGatewaysOptions(options)
    this.logger_ = optionalLogger(container)
    this.settings_ = new GatewaySettingsStore(this.pg_, this.logger_)
    registerPaymentGatewaysModule(this)
  }

  private readonly settings_: GatewaySettingsStore

  /**
   * A registration's settings saved in the admin, secrets decrypted, from a copy at
   * most 20 s old (`fresh`: from the database now). Providers ask at the start of every
   * call (src/lib/gateway-runtime.ts). `key` is the registration's provider id
   * (`pp_secpaid_eu`), or the bare gateway id for the row saved per gateway;
   * `fallbackToGatewayRow` lets the gateway's only registration use that row while it
   * has none of its own (see gateway-settings-store.ts).
   */
  async gatewaySettings(
    gateway: GatewayId,
    { key = gateway, fresh = false, fallbackToGatewayRow = false }: SettingsRowSelector & { fresh?: boolean } = {}
  ): Promise<SavedGatewaySettings> {
    return fresh
      ? await this.settings_.read(gateway, key, { fallbackToGatewayRow })
      : await this.settings_.cached(gateway, key, { fallbackToGatewayRow })
  }

  /**
   * Saves a patch of a registration's settings (null removes a value; secrets are
   * sealed before they are written) and returns them as saved. This process uses them
   * from its next call on; other instances within 20 s.
   */
  async saveGatewaySettings(
    gateway: GatewayId,
    patch: GatewaySettingsPatch,
    options: SettingsRowSelector & { updatedBy?: string | null } = {}
  ): Promise<SavedGatewaySettings> {
    return await this.settings_.save(gateway, patch, options)
  }

  /**
   * Stores an event once. A second delivery of the same (gateway, event id) finds the
   * existing row and reports `duplicate` without touching it.
   */
  async storeWebhookEvent(input: StoreWebhookEventInput): Promise<StoredWebhookEvent> {
    const now = new Date()
    const inserted = await this.pg_.raw(
      `INSERT INTO ${EVENT_TABLE}
         (id, gateway, provider_id, event_id, source, event_type, reference, session_id, raw_body, headers, status, attempts, next_attempt_at, received_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, 'received', 0, ?, ?, ?, ?)
       ON CONFLICT (gateway, event_id) WHERE deleted_at IS NULL DO NOTHING
       RETURNING id`,
      [
        generateEntityId(undefined, "pgwe"),
        input.gateway,
        input.providerId ?? null,
        input.eventId,
        input.source ?? "webhook",
        input.eventType ?? null,
        input.reference ?? null,
        input.sessionId ?? null,
        input.rawBody.toString("base64"),
        JSON.stringify(input.headers ?? {}),
        now,
        now,
        now,
        now,
      ]
    )
    if (inserted.rows.length) return { id: inserted.rows[0].id, duplicate: false }
    if (input.reverifyRepeatedClaims) {
      // An unsigned payment claim that could not be verified earlier (e.g. a forged SecPaid
      // "success" that arrived before the real payment) must not shadow the genuine delivery
      // of the same event id: it is queued again instead of being answered as a duplicate —
      // at most once per REVERIFY_INTERVAL after the last check, so repeating a claim cannot
      // make the store ask the gateway more often than that. Only payment claims: they are
      // what turns into an order; a repeated cancel stays a duplicate.
      const requeued = await this.pg_.raw(
        `UPDATE ${EVENT_TABLE}
            SET status = 'received', outcome = NULL, attempts = 0, locked_until = NULL, updated_at = ?,
                next_attempt_at = GREATEST(?::timestamptz, processed_at + interval '${REVERIFY_INTERVAL_SECONDS} seconds')
          WHERE gateway = ? AND event_id = ? AND deleted_at IS NULL AND status = 'processed' AND outcome IN (${placeholders(NOT_ACTED_OUTCOMES)})
            AND event_type IN (${placeholders(PAYMENT_CLAIM_TYPES)})
          RETURNING id`,
        [now, now, input.gateway, input.eventId, ...NOT_ACTED_OUTCOMES, ...PAYMENT_CLAIM_TYPES]
      )
      if (requeued.rows.length) return { id: requeued.rows[0].id, duplicate: false }
      // Being processed right now (a forged claim of the same event may be in verification):
      // remember to process it once more should that processing end without acting.
      const recheck = await this.pg_.raw(
        `UPDATE ${EVENT_TABLE} SET recheck_requested = true, updated_at = ?
          WHERE gateway = ? AND event_id = ? AND deleted_at IS NULL AND status = 'processing'
          RETURNING id`,
        [now, input.gateway, input.eventId]
      )
      if (recheck.rows.length) return { id: recheck.rows[0].id, duplicate: true, recheck: true }
    }
    const existing = await this.pg_.raw(
      `SELECT id FROM ${EVENT_TABLE} WHERE gateway = ? AND event_id = ? AND deleted_at IS NULL`,
      [input.gateway, input.eventId]
    )
    if (!existing.rows.length) throw new Error(`The ${input.gateway} event ${input.eventId} could neither be stored nor found; try again.`)
    return { id: existing.rows[0].id, duplicate: true }
  }

  /**
   * Takes an event for processing, atomically: only one instance gets the row back.
   * Free are events just received, failed events whose retry time has come, and
   * events whose processing lock expired (the instance died mid-way).
   */
  async claimWebhookEvent(id: string): Promise<WebhookEventRow | undefined> {
    const now = new Date()
    const lockedUntil = new Date(now.getTime() + this.options_.processingLockMs)
    // A row still "processing" whose lock ran out was abandoned by a process that died:
    // when that attempt began (its claim's updated_at) is kept until the event is processed.
    const claimed = await this.pg_.raw(
      `UPDATE ${EVENT_TABLE}
          SET status = 'processing', locked_until = ?, attempts = attempts + 1, updated_at = ?,
              interrupted_attempt_at = CASE WHEN status = 'processing' THEN COALESCE(interrupted_attempt_at, updated_at) ELSE interrupted_attempt_at END
        WHERE id = ? AND deleted_at IS NULL
          AND (
                (status IN ('received', 'failed') AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
             OR (status = 'processing' AND locked_until < ?)
          )
        RETURNING *`,
      [lockedUntil, now, id, now, now]
    )
    return claimed.rows[0]
  }

  /** Ids of events waiting for processing (new, due for retry, or abandoned by a dead instance). */
  async listDueWebhookEventIds(limit = 50): Promise<string[]> {
    const now = new Date()
    const due = await this.pg_.raw(
      `SELECT id FROM ${EVENT_TABLE}
        WHERE deleted_at IS NULL
          AND (
                (status IN ('received', 'failed') AND (next_attempt_at IS NULL OR next_attempt_at <= ?))
             OR (status = 'processing' AND locked_until < ?)
          )
        ORDER BY received_at
        LIMIT ?`,
      [now, now, limit]
    )
    return due.rows.map((r: { id: string }) => r.id)
  }

  /**
   * Records the outcome. When the processing did not act (`acted: false`) and another
   * delivery of the event arrived meanwhile, the event goes back to `received` instead
   * (returns `requeued`), so that delivery is processed after this one.
   */
  async completeWebhookEvent(id: string, result: WebhookEventResult & { acted?: boolean }): Promise<"processed" | "requeued"> {
    const now = new Date()
    const updated = await this.pg_.raw(
      `UPDATE ${EVENT_TABLE}
          SET status = CASE WHEN recheck_requested AND NOT ? THEN 'received' ELSE 'processed' END,
              recheck_requested = false, outcome = ?, session_id = COALESCE(?, session_id), cart_id = COALESCE(?, cart_id),
              order_id = COALESCE(?, order_id), last_error = NULL, locked_until = NULL, next_attempt_at = NULL,
              interrupted_attempt_at = NULL, processed_at = ?, updated_at = ?
        WHERE id = ? AND status = 'processing'
        RETURNING status`,
      [result.acted ?? true, result.outcome, result.sessionId ?? null, result.cartId ?? null, result.orderId ?? null, now, now, id]
    )
    return updated.rows[0]?.status === "received" ? "requeued" : "processed"
  }

  /**
   * Remembers that this store created `reference` at the gateway for a payment
   * session. Idempotent: a reference belongs to the session it was first issued for.
   */
  async recordIssuedReference(input: { gateway: GatewayId; reference: string; sessionId: string; providerId?: string }): Promise<void> {
    const now = new Date()
    await this.pg_.raw(
      `INSERT INTO ${REFERENCE_TABLE} (id, gateway, provider_id, reference, session_id, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (gateway, reference) WHERE deleted_at IS NULL DO NOTHING`,
      [generateEntityId(undefined, "pgir"), input.gateway, input.providerId ?? null, input.reference, input.sessionId, now, now]
    )
  }

  /**
   * The session a reference was issued for and the registration that issued it (null for
   * references issued before registrations were recorded), or undefined when this store
   * never issued it (one index look-up).
   */
  async findIssuedReference(gateway: GatewayId, reference: string): Promise<{ sessionId: string; providerId: string | null } | undefined> {
    const found = await this.pg_.raw(
      `SELECT session_id, provider_id FROM ${REFERENCE_TABLE} WHERE gateway = ? AND reference = ? AND deleted_at IS NULL LIMIT 1`,
      [gateway, reference]
    )
    return found.rows[0] ? { sessionId: found.rows[0].session_id, providerId: found.rows[0].provider_id ?? null } : undefined
  }

  /**
   * Records a failed attempt: retried later with exponential backoff, or a dead
   * letter once `maxAttempts` is reached. Returns the new status.
   */
  async failWebhookEvent(id: string, error: string, sessionId?: string): Promise<"failed" | "dead_letter"> {
    const now = new Date()
    const row = await this.pg_.raw(`SELECT attempts FROM ${EVENT_TABLE} WHERE id = ?`, [id])
    const attempts: number = row.rows[0]?.attempts ?? 1
    const dead = attempts >= this.options_.maxAttempts
    const nextAttemptAt = dead ? null : new Date(now.getTime() + backoffDelayMs(attempts, this.options_))
    await this.pg_.raw(
      `UPDATE ${EVENT_TABLE}
          SET status = ?, last_error = ?, next_attempt_at = ?, locked_until = NULL,
              session_id = COALESCE(?, session_id), updated_at = ?
        WHERE id = ? AND status = 'processing'`,
      [dead ? "dead_letter" : "failed", error.slice(0, 2000), nextAttemptAt, sessionId ?? null, now, id]
    )
    return dead ? "dead_letter" : "failed"
  }

  /** Puts a dead letter (or a failed event) back in the queue with a fresh attempt budget. */
  async retryWebhookEvent(id: string): Promise<boolean> {
    const now = new Date()
    const updated = await this.pg_.raw(
      `UPDATE ${EVENT_TABLE}
          SET status = 'received', attempts = 0, next_attempt_at = ?, locked_until = NULL, updated_at = ?
        WHERE id = ? AND deleted_at IS NULL AND status IN ('dead_letter', 'failed')
        RETURNING id`,
      [now, now, id]
    )
    return updated.rows.length > 0
  }

  /** Processed events of a payment session, newest first (what happened to it before). */
  async listProcessedOutcomesForSession(sessionId: string): Promise<Array<{ id: string; outcome: string | null; event_type: string | null }>> {
    const rows = await this.pg_.raw(
      `SELECT id, outcome, event_type FROM ${EVENT_TABLE}
        WHERE session_id = ? AND status = 'processed' AND deleted_at IS NULL
        ORDER BY processed_at DESC`,
      [sessionId]
    )
    return rows.rows
  }

  /**
   * One row in the delivery log. A single INSERT (not the generated service method):
   * it runs on every delivery, so it is on the ingest path's critical budget. The
   * webhook routes go through `webhookDeliveryLog()`, which bounds the rows first.
   */
  async recordDelivery(input: RecordDeliveryInput): Promise<void> {
    const now = new Date()
    await this.pg_.raw(
      `INSERT INTO ${DELIVERY_TABLE}
         (id, gateway, provider_id, verdict, http_status, detail, event_id, webhook_event_id, headers, body_excerpt, body_bytes, remote_address, received_at, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?)`,
      [
        generateEntityId(undefined, "pgwd"),
        input.gateway,
        input.providerId ?? null,
        input.verdict,
        input.httpStatus,
        input.detail ?? null,
        input.eventId ?? null,
        input.webhookEventId ?? null,
        input.headers ? JSON.stringify(input.headers) : null,
        input.bodyExcerpt ?? null,
        input.bodyBytes,
        input.remoteAddress ?? null,
        now,
        now,
        now,
      ]
    )
  }

  /**
   * One row per key of deliveries that were counted instead of logged one by one
   * (`delivery-log-throttle.ts`), in a single INSERT: `repeat_count` of them between
   * `received_at` and `last_received_at`, the first one's detail, no headers or body.
   */
  async recordAggregatedDeliveries(rows: AggregatedDeliveries[]): Promise<void> {
    if (!rows.length) return
    const now = new Date()
    const values: Knex.RawBinding[] = []
    for (const row of rows) {
      values.push(
        generateEntityId(undefined, "pgwd"),
        row.gateway,
        row.verdict,
        row.httpStatus,
        row.detail ?? null,
        row.largestBodyBytes,
        row.source,
        row.firstReceivedAt,
        row.count,
        row.lastReceivedAt,
        now,
        now
      )
    }
    await this.pg_.raw(
      `INSERT INTO ${DELIVERY_TABLE}
         (id, gateway, verdict, http_status, detail, body_bytes, remote_address, received_at, repeat_count, last_received_at, created_at, updated_at)
       VALUES ${rows.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`,
      values
    )
  }

  private deliveryLog_?: WebhookDeliveryLog

  /** The webhook routes' way into the delivery log: bounded rows, counts over the caps (one per service instance). */
  webhookDeliveryLog(): WebhookDeliveryLog {
    if (!this.deliveryLog_) {
      const logger = this.logger_
      this.deliveryLog_ = new WebhookDeliveryLog(this, { warn: (message) => logger?.warn(message) })
    }
    return this.deliveryLog_
  }

  /** Records a flag once per (gateway, reference, kind); a repeated finding does not add rows. */
  async flagPayment(input: PaymentFlagInput): Promise<void> {
    const now = new Date()
    await this.pg_.raw(
      `INSERT INTO ${FLAG_TABLE} (id, gateway, provider_id, reference, kind, session_id, order_id, details, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)
       ON CONFLICT (gateway, reference, kind) WHERE deleted_at IS NULL DO NOTHING`,
      [generateEntityId(undefined, "pgpf"), input.gateway, input.providerId ?? null, input.reference, input.kind, input.sessionId ?? null, input.orderId ?? null, JSON.stringify(input.details ?? {}), now, now]
    )
  }

  /**
   * Deletes delivery-log rows received before the retention window
   * (`deliveryLogRetentionDays`; 0 keeps the log forever). Only the delivery log:
   * the inbox is pruned by `pruneIgnoredWebhookEvents`, and only of no-ops. One DELETE of at
   * most `batchSize` rows per statement, each committed on its own, so a huge log never
   * holds a long lock against the webhook routes writing to it; at most `maxBatches`
   * per call, the next run goes on from there.
   */
  async pruneWebhookDeliveries({
    now = new Date(),
    retentionDays = this.options_.deliveryLogRetentionDays,
    batchSize = 5_000,
    maxBatches = 100,
  }: { now?: Date; retentionDays?: number; batchSize?: number; maxBatches?: number } = {}): Promise<PruneWebhookDeliveriesResult> {
    if (retentionDays <= 0) return { deleted: 0, batches: 0 }
    const before = new Date(now.getTime() - retentionDays * 86_400_000)
    let deleted = 0
    let batches = 0
    // Per gateway, so each batch walks the (gateway, received_at) index instead of the whole table.
    for (const gateway of GATEWAYS) {
      while (batches < maxBatches) {
        const result = await this.pg_.raw(
          `DELETE FROM ${DELIVERY_TABLE}
            WHERE id IN (SELECT id FROM ${DELIVERY_TABLE} WHERE gateway = ? AND received_at < ? LIMIT ?)`,
          [gateway, before, batchSize]
        )
        batches++
        const count: number = result.rowCount ?? 0
        deleted += count
        if (count < batchSize) break
      }
    }
    return { deleted, batches, before }
  }

  private requestSlotStore_?: PostgresSlotStore

  /**
   * Gateway request slots in this store's database, shared by every instance of the
   * store (the RateSlot model). Gateway clients ask for it at call time (runtime.ts).
   */
  requestSlotStore(): PostgresSlotStore {
    return (this.requestSlotStore_ ??= new PostgresSlotStore(this.pg_))
  }

  /**
   * Deletes inbox events that were processed into a no-op (`no_action_*`, `ignored_*`:
   * `NO_MONEY_MOVED_OUTCOMES` in webhook-outcome.ts) more than `ignoredEventRetentionDays` ago (0 keeps them forever): forged or
   * unverifiable claims, events for sessions this store never had, late cancels. They
   * moved no money and never will; a genuine delivery of the same event id later is
   * simply stored anew. Everything else stays forever: payments (order_created,
   * payment_captured, flagged_*, session_canceled, …) and events not `processed`.
   * Bounded like `pruneWebhookDeliveries`: at most `batchSize` rows per DELETE,
   * `maxBatches` per call.
   */
  async pruneIgnoredWebhookEvents({
    now = new Date(),
    retentionDays = this.options_.ignoredEventRetentionDays,
    batchSize = 5_000,
    maxBatches = 100,
  }: { now?: Date; retentionDays?: number; batchSize?: number; maxBatches?: number } = {}): Promise<PruneIgnoredWebhookEventsResult> {
    if (retentionDays <= 0) return { deleted: 0, batches: 0 }
    const before = new Date(now.getTime() - retentionDays * 86_400_000)
    let deleted = 0
    let batches = 0
    while (batches < maxBatches) {
      const result = await this.pg_.raw(
        `DELETE FROM ${EVENT_TABLE}
          WHERE id IN (
            SELECT id FROM ${EVENT_TABLE}
             WHERE status = 'processed' AND processed_at < ? AND outcome IN (${placeholders(NO_MONEY_MOVED_OUTCOMES)})
             LIMIT ?)`,
        [before, ...NO_MONEY_MOVED_OUTCOMES, batchSize]
      )
      batches++
      const count: number = result.rowCount ?? 0
      deleted += count
      if (count < batchSize) break
    }
    return { deleted, batches, before }
  }
}
