import { Migration } from "@medusajs/framework/mikro-orm/migrations";

export class Migration20261121224018 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_event" drop constraint if exists "payment_gateway_webhook_event_gateway_event_id_unique";`);
    this.addSql(`alter table if exists "payment_gateway_payment_flag" drop constraint if exists "payment_gateway_payment_flag_gateway_reference_kind_unique";`);
    this.addSql(`create table if not exists "payment_gateway_payment_flag" ("id" text not null, "gateway" text check ("gateway" in ('secpaid', 'payin')) not null, "reference" text not null, "kind" text check ("kind" in ('payment_after_cancel', 'amount_mismatch', 'partial_payment', 'overpayment')) not null, "session_id" text null, "order_id" text null, "details" jsonb null, "resolved_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_payment_flag_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_payment_flag_deleted_at" ON "payment_gateway_payment_flag" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_payment_flag_gateway_reference_kind_unique" ON "payment_gateway_payment_flag" ("gateway", "reference", "kind") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_gateway_webhook_delivery" ("id" text not null, "gateway" text check ("gateway" in ('secpaid', 'payin')) not null, "verdict" text check ("verdict" in ('accepted', 'duplicate', 'signature_missing', 'signature_malformed', 'signature_mismatch', 'signature_replayed', 'no_secret_configured', 'parse_error', 'too_large', 'store_failed')) not null, "http_status" integer not null, "detail" text null, "event_id" text null, "webhook_event_id" text null, "headers" jsonb null, "body_excerpt" text null, "body_bytes" integer not null default 0, "remote_address" text null, "received_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_webhook_delivery_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_delivery_deleted_at" ON "payment_gateway_webhook_delivery" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_delivery_gateway_received_at" ON "payment_gateway_webhook_delivery" ("gateway", "received_at") WHERE deleted_at IS NULL;`);

    this.addSql(`create table if not exists "payment_gateway_webhook_event" ("id" text not null, "gateway" text check ("gateway" in ('secpaid', 'payin')) not null, "event_id" text not null, "source" text check ("source" in ('webhook', 'reconciliation')) not null default 'webhook', "event_type" text null, "reference" text null, "raw_body" text not null, "headers" jsonb null, "status" text check ("status" in ('received', 'processing', 'processed', 'failed', 'dead_letter')) not null default 'received', "outcome" text null, "session_id" text null, "cart_id" text null, "order_id" text null, "attempts" integer not null default 0, "last_error" text null, "next_attempt_at" timestamptz null, "locked_until" timestamptz null, "received_at" timestamptz not null, "processed_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_webhook_event_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_event_deleted_at" ON "payment_gateway_webhook_event" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_event_gateway_event_id_unique" ON "payment_gateway_webhook_event" ("gateway", "event_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_event_status_next_attempt_at" ON "payment_gateway_webhook_event" ("status", "next_attempt_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_webhook_event_session_id" ON "payment_gateway_webhook_event" ("session_id") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_gateway_payment_flag" cascade;`);

    this.addSql(`drop table if exists "payment_gateway_webhook_delivery" cascade;`);

    this.addSql(`drop table if exists "payment_gateway_webhook_event" cascade;`);
  }

}
