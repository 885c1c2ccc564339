import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * What the merchant saved in Settings → Payment gateways, one row per gateway.
 * These values override the provider options from medusa-config.ts (see
 * src/lib/gateway-settings.ts). `values` holds the plain settings; `secrets` holds
 * only AES-256-GCM ciphertexts (src/lib/secret-box.ts), never a plain key.
 */
export const GatewaySetting = model
  .define("payment_gateway_setting", {
    id: model.id({ prefix: "pgst" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** Non-secret options by provider option name: `{ environment: "production", cancellable: false }`. */
    values: model.json().default({}),
    /** Sealed secrets by option name: `{ apiKey: "pgsb1.…" }`. */
    secrets: model.json().default({}),
    /** The admin user who saved last. */
    updated_by: model.text().nullable(),
  })
  .indexes([{ on: ["gateway"], unique: true }])
