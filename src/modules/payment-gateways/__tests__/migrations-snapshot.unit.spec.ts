import fs from "node:fs"
import path from "node:path"
import { GatewaySetting } from "../models/gateway-setting"
import { IssuedReference } from "../models/issued-reference"
import { PaymentFlag } from "../models/payment-flag"
import { RateSlot } from "../models/rate-slot"
import { WebhookDelivery } from "../models/webhook-delivery"
import { WebhookEvent } from "../models/webhook-event"

/**
 * `medusa db:generate` diffs the models against this snapshot: a table missing from it
 * is emitted again as a duplicate "create table" migration. The snapshot must hold
 * every model's table, and exactly the tables the migrations create.
 */
const dir = path.join(__dirname, "..", "migrations")
const snapshot = JSON.parse(fs.readFileSync(path.join(dir, ".snapshot-payment-gateways.json"), "utf8")) as {
  tables: Array<{ name: string; columns: Record<string, unknown>; indexes: Array<{ keyName: string }> }>
}
const MODELS = [WebhookEvent, WebhookDelivery, PaymentFlag, GatewaySetting, RateSlot, IssuedReference]
const parsed = (model: unknown) => (model as { parse(): { tableName: string; schema: Record<string, unknown> } }).parse()

describe("payment-gateways migrations snapshot", () => {
  it("holds every model's table with all of its columns", () => {
    for (const model of MODELS) {
      const { tableName, schema } = parsed(model)
      const table = snapshot.tables.find((t) => t.name === tableName)
      expect(table?.name).toBe(tableName)
      expect(Object.keys(table!.columns).sort()).toEqual([...new Set([...Object.keys(schema), "created_at", "updated_at", "deleted_at"])].sort())
    }
  })

  it("holds exactly the tables and indexes the migrations create", () => {
    const sql = fs
      .readdirSync(dir)
      .filter((f) => /^Migration\d+\.ts$/.test(f))
      .map((f) => fs.readFileSync(path.join(dir, f), "utf8"))
      .join("\n")
    const created = [...sql.matchAll(/create table if not exists "(\w+)"/gi)].map((m) => m[1])
    expect([...new Set(created)].sort()).toEqual(snapshot.tables.map((t) => t.name).sort())
    const indexes = [...sql.matchAll(/CREATE (?:UNIQUE )?INDEX IF NOT EXISTS "(\w+)"/gi)].map((m) => m[1])
    const snapshotIndexes = snapshot.tables.flatMap((t) => t.indexes.map((i) => i.keyName)).filter((n) => !n.endsWith("_pkey"))
    expect([...new Set(indexes)].sort()).toEqual(snapshotIndexes.sort())
  })
})
