import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Payment references issued by this store (SecPaid links), so that unsigned webhook
 * claims for links the store never created are refused without a gateway call; and
 * `recheck_requested` on inbox events, so that a delivery arriving while the same
 * event is being verified is processed after it instead of being dropped.
 *
 * Links created before this migration are copied from the SecPaid payment sessions
 * (their `data.pay_id`), where the payment module's table exists already.
 */
export class Migration20261202050000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "payment_gateway_issued_reference" ("id" text not null, "gateway" text check ("gateway" in ('secpaid', 'payin')) not null, "reference" text not null, "session_id" text not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_issued_reference_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_issued_reference_deleted_at" ON "payment_gateway_issued_reference" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_issued_reference_gateway_reference_unique" ON "payment_gateway_issued_reference" ("gateway", "reference") WHERE deleted_at IS NULL;`);
    this.addSql(`alter table if exists "payment_gateway_webhook_event" add column if not exists "recheck_requested" boolean not null default false;`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" drop constraint if exists "payment_gateway_webhook_delivery_verdict_check";`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" add constraint "payment_gateway_webhook_delivery_verdict_check" check ("verdict" in ('accepted', 'duplicate', 'recheck_queued', 'ignored_unknown_link', 'ignored_error_notification', 'signature_missing', 'signature_malformed', 'signature_mismatch', 'signature_replayed', 'no_secret_configured', 'parse_error', 'too_large', 'store_failed'));`);
    this.addSql(`
      DO $$
      BEGIN
        IF to_regclass('payment_session') IS NOT NULL THEN
          INSERT INTO "payment_gateway_issued_reference" ("id", "gateway", "reference", "session_id")
          SELECT 'pgir_' || md5(ps.id || ':' || (ps.data->>'pay_id')), 'secpaid', ps.data->>'pay_id', ps.id
            FROM payment_session ps
           WHERE ps.provider_id LIKE 'pp_secpaid_%' AND ps.data->>'pay_id' ~ '^[0-9]{1,20}$'
          ON CONFLICT DO NOTHING;
        END IF;
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_gateway_issued_reference" cascade;`);
    this.addSql(`alter table if exists "payment_gateway_webhook_event" drop column if exists "recheck_requested";`);
  }

}
