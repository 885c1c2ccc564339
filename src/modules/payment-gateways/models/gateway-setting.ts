import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * What the merchant saved in Settings → Payment gateways, one row per provider
 * registration (`provider_id`, e.g. `pp_secpaid_eu`), so that a store registering a
 * gateway twice keeps two sets of keys. These values override the provider options
 * from medusa-config.ts (see src/lib/gateway-settings.ts). `values` holds the plain
 * settings; `secrets` holds only AES-256-GCM ciphertexts (src/lib/secret-box.ts),
 * never a plain key.
 *
 * A row without `provider_id` was saved per gateway, before settings were kept per
 * registration, and could not be matched to a registration when the store upgraded:
 * it is used by the gateway's only registration until the admin saves that one's
 * settings (see gateway-settings-store.ts).
 */
export const GatewaySetting = model
  .define("payment_gateway_setting", {
    id: model.id({ prefix: "pgst" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** The payment provider registration the row belongs to (`pp_<gateway>_<id>`); null on a row saved per gateway. */
    provider_id: model.text().nullable(),
    /** Non-secret options by provider option name: `{ environment: "production", cancellable: false }`. */
    values: model.json().default({}),
    /** Sealed secrets by option name: `{ apiKey: "pgsb1.…" }`. */
    secrets: model.json().default({}),
    /** The admin user who saved last. */
    updated_by: model.text().nullable(),
  })
  .indexes([
    { on: ["provider_id"], unique: true },
    // At most one row saved per gateway without a registration.
    { name: "IDX_payment_gateway_setting_gateway_unique", on: ["gateway"], unique: true, where: "provider_id IS NULL" },
  ])
