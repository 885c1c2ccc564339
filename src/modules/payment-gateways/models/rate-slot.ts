import { model } from "@medusajs/framework/utils"

/**
 * A gateway's request budget, shared by every instance of the store: exactly `limit`
 * rows per key (a hash of the API key, never the key), one per request of the sliding
 * window, each holding when it was last spent. Taking a request is one UPDATE of the
 * oldest row older than the window (see rate-slot-store.ts), so the limit holds across
 * processes without any process trusting its own clock. No service methods are
 * generated for it: only the budget's statements touch these rows.
 */
export const RateSlot = model
  .define("payment_gateway_rate_slot", {
    /** `<key>:<slot>`, so that creating the rows twice is a no-op. */
    id: model.id().primaryKey(),
    key: model.text(),
    slot: model.number(),
    used_at: model.dateTime(),
  })
  .indexes([{ on: ["key", "slot"], unique: true }])
