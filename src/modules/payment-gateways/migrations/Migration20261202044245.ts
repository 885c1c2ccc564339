import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/** The shared request budget: one row per request of a gateway's sliding window, per API key hash. */
export class Migration20261202044245 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "payment_gateway_rate_slot" ("id" text not null, "key" text not null, "slot" integer not null, "used_at" timestamptz not null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_rate_slot_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_rate_slot_deleted_at" ON "payment_gateway_rate_slot" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_rate_slot_key_slot_unique" ON "payment_gateway_rate_slot" ("key", "slot") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_gateway_rate_slot" cascade;`);
  }

}
