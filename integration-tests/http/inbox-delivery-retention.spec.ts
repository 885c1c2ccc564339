import { medusaSuite } from "../helpers/medusa-runner"
import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import axios from "axios"
import pruneWebhookDeliveriesJob, { config as pruneJobConfig } from "../../src/jobs/prune-webhook-deliveries"
import { waitFor } from "../helpers/checkout"
import { inbox, inboxUrl } from "./inbox-helpers"

jest.setTimeout(120_000)

/**
 * The delivery log is pruned: rows of payment_gateway_webhook_delivery older than
 * `deliveryLogRetentionDays` (30 by default) are deleted by the hourly job in bounded
 * batches; recent rows stay. Of the inbox, only events processed into a no-op
 * (`no_action_*`, `ignored_*`) longer ago than `ignoredEventRetentionDays` (7) go;
 * every event that moved money, and every event not processed, stays however old.
 */
const DAY_MS = 86_400_000

medusaSuite({
  testSuite: ({ getContainer }) => {
    const pg = () => getContainer().resolve<Knex>("__pg_connection__")

    beforeEach(async () => {
      await pg().raw(`DELETE FROM payment_gateway_webhook_delivery`)
    })

    async function deliveryIds(): Promise<string[]> {
      const rows = await pg().raw(`SELECT id FROM payment_gateway_webhook_delivery ORDER BY id`)
      return rows.rows.map((r: { id: string }) => r.id)
    }

    /** Moves rows back in time, as if they had arrived `days` ago. */
    async function age(table: string, ids: string[], days: number) {
      if (!ids.length) return
      await pg().raw(`UPDATE ${table} SET received_at = ? WHERE id = ANY(?)`, [new Date(Date.now() - days * DAY_MS), ids])
    }

    it("the hourly job deletes deliveries older than 30 days, keeps recent ones and every webhook event", async () => {
      expect(pruneJobConfig.schedule).toBe("17 * * * *")
      const container = getContainer()
      const service = inbox(container)

      // Real deliveries through the routes: a forged PayIn webhook (401) and an unreadable SecPaid one (400).
      const forged = await axios.post(inboxUrl("payin"), { id: "evt_forged", type: "order.completed", data: { orderId: "ord_x" } }, {
        headers: { "x-payin-signature": `t=${Math.floor(Date.now() / 1000)},v1=${"00".repeat(32)}` },
        validateStatus: () => true,
      })
      expect(forged.status).toBe(401)
      const garbage = await axios.post(inboxUrl("secpaid"), "not a webhook", { headers: { "content-type": "text/plain" }, validateStatus: () => true })
      expect(garbage.status).toBe(400)
      const fromRoutes = await waitFor(async () => {
        const ids = await deliveryIds()
        return ids.length === 2 ? ids : undefined
      }, { timeoutMs: 10_000, what: "the two deliveries in the log" })

      for (let i = 0; i < 4; i++) {
        await service.recordDelivery({ gateway: i % 2 ? "payin" : "secpaid", verdict: "accepted", httpStatus: 200, bodyBytes: 10 })
      }
      const all = await deliveryIds()
      const old = [...fromRoutes, ...all.filter((id) => !fromRoutes.includes(id)).slice(0, 2)]
      const recent = all.filter((id) => !old.includes(id))
      await age("payment_gateway_webhook_delivery", old, 31)
      await age("payment_gateway_webhook_delivery", recent.slice(0, 1), 29)

      // An inbox event older than any delivery: never pruned.
      const stored = await service.storeWebhookEvent({
        gateway: "payin",
        eventId: `evt_retention_${Date.now()}`,
        eventType: "order.created",
        rawBody: Buffer.from("{}"),
      })
      await age("payment_gateway_webhook_event", [stored.id], 400)

      await pruneWebhookDeliveriesJob(container)

      expect(await deliveryIds()).toEqual([...recent].sort())
      const events = await pg().raw(`SELECT id FROM payment_gateway_webhook_event WHERE id = ?`, [stored.id])
      expect(events.rows).toHaveLength(1)
    })

    it("deletes in batches of at most batchSize rows per statement, and stops after maxBatches until the next run", async () => {
      const service = inbox(getContainer())
      for (let i = 0; i < 12; i++) await service.recordDelivery({ gateway: "secpaid", verdict: "accepted", httpStatus: 200, bodyBytes: 1 })
      await service.recordDelivery({ gateway: "payin", verdict: "accepted", httpStatus: 200, bodyBytes: 1 })
      // "Now" is 45 days ahead (rather than rows moved back), so the scheduled job of this app cannot touch these rows.
      const now = new Date(Date.now() + 45 * DAY_MS)

      const first = await service.pruneWebhookDeliveries({ now, batchSize: 5, maxBatches: 2 })
      expect(first).toMatchObject({ deleted: 10, batches: 2 })
      expect(await deliveryIds()).toHaveLength(3)

      // secpaid: 2 left (one short batch); payin: 1 (one short batch).
      const second = await service.pruneWebhookDeliveries({ now, batchSize: 5, maxBatches: 100 })
      expect(second).toMatchObject({ deleted: 3, batches: 2 })
      expect(await deliveryIds()).toEqual([])
    })

    it("keeps the log forever when the retention is 0, and honours another number of days", async () => {
      const service = inbox(getContainer())
      await service.recordDelivery({ gateway: "payin", verdict: "accepted", httpStatus: 200, bodyBytes: 1 })
      await service.recordDelivery({ gateway: "payin", verdict: "accepted", httpStatus: 200, bodyBytes: 1 })
      const inEightDays = new Date(Date.now() + 8 * DAY_MS)

      expect(await service.pruneWebhookDeliveries({ now: new Date(Date.now() + 3000 * DAY_MS), retentionDays: 0 })).toEqual({ deleted: 0, batches: 0 })
      expect(await deliveryIds()).toHaveLength(2)

      expect(await service.pruneWebhookDeliveries({ now: inEightDays, retentionDays: 9 })).toMatchObject({ deleted: 0 })
      expect(await deliveryIds()).toHaveLength(2)
      expect(await service.pruneWebhookDeliveries({ now: inEightDays, retentionDays: 7 })).toMatchObject({ deleted: 2 })
      expect(await deliveryIds()).toEqual([])
    })

    /** An inbox row in a given state, written as processing would have left it (the poller never takes it: not due). */
    async function inboxRow(status: string, outcome: string | null, processedDaysAgo: number | null): Promise<string> {
      const id = `pgwe_prune_${status}_${outcome ?? "none"}_${processedDaysAgo ?? "never"}_${Math.random().toString(36).slice(2, 8)}`
      const processedAt = processedDaysAgo === null ? null : new Date(Date.now() - processedDaysAgo * DAY_MS)
      await pg().raw(
        `INSERT INTO payment_gateway_webhook_event (id, gateway, event_id, source, raw_body, status, outcome, next_attempt_at, received_at, processed_at)
         VALUES (?, 'secpaid', ?, 'webhook', '', ?, ?, ?, ?, ?)`,
        [id, id, status, outcome, new Date(Date.now() + 365 * DAY_MS), new Date(Date.now() - 400 * DAY_MS), processedAt]
      )
      return id
    }

    async function eventsLeft(ids: string[]): Promise<string[]> {
      const rows = await pg().raw(`SELECT id FROM payment_gateway_webhook_event WHERE id = ANY(?) ORDER BY id`, [ids])
      return rows.rows.map((r: { id: string }) => r.id)
    }

    it("the hourly job deletes inbox events processed into no-ops more than 7 days ago, and never a payment or an unprocessed event", async () => {
      const prunable = [
        await inboxRow("processed", "no_action_pending", 8),
        await inboxRow("processed", "no_action_not_supported", 30),
        await inboxRow("processed", "ignored_unknown_session", 8),
        await inboxRow("processed", "ignored_no_session", 400),
        await inboxRow("processed", "ignored_late_cancel", 8),
      ]
      const kept = [
        // Recent no-ops: still within the week.
        await inboxRow("processed", "no_action_pending", 6),
        await inboxRow("processed", "ignored_unknown_session", 1),
        // Events that moved money or state, however old.
        await inboxRow("processed", "order_created", 400),
        await inboxRow("processed", "payment_captured", 400),
        await inboxRow("processed", "already_processed", 400),
        await inboxRow("processed", "flagged_partial_payment", 400),
        await inboxRow("processed", "flagged_payment_after_cancel", 400),
        await inboxRow("processed", "session_canceled", 400),
        await inboxRow("processed", "order_canceled", 400),
        // Not processed (yet, or ever): never pruned.
        await inboxRow("failed", "no_action_pending", 400),
        await inboxRow("dead_letter", "ignored_unknown_session", 400),
        await inboxRow("processing", null, null),
        await inboxRow("processed", null, 400),
      ]

      await pruneWebhookDeliveriesJob(getContainer())

      expect(await eventsLeft([...prunable, ...kept])).toEqual([...kept].sort())
    })

    it("prunes no-op events in batches of at most batchSize rows, keeps them when the retention is 0, honours another number of days", async () => {
      const service = inbox(getContainer())
      await pg().raw(`DELETE FROM payment_gateway_webhook_event WHERE id LIKE 'pgwe_prune_%'`)
      const ids: string[] = []
      for (let i = 0; i < 7; i++) ids.push(await inboxRow("processed", "ignored_unknown_session", 3))
      const payment = await inboxRow("processed", "order_created", 3)

      expect(await service.pruneIgnoredWebhookEvents({ retentionDays: 0, now: new Date(Date.now() + 3000 * DAY_MS) })).toEqual({ deleted: 0, batches: 0 })
      expect(await service.pruneIgnoredWebhookEvents({ retentionDays: 4 })).toMatchObject({ deleted: 0 })
      expect(await eventsLeft(ids)).toHaveLength(7)

      const first = await service.pruneIgnoredWebhookEvents({ retentionDays: 2, batchSize: 3, maxBatches: 2 })
      expect(first).toMatchObject({ deleted: 6, batches: 2 })
      expect(await eventsLeft(ids)).toHaveLength(1)
      expect(await service.pruneIgnoredWebhookEvents({ retentionDays: 2, batchSize: 3 })).toMatchObject({ deleted: 1, batches: 1 })
      expect(await eventsLeft([...ids, payment])).toEqual([payment])
    })
  },
})
