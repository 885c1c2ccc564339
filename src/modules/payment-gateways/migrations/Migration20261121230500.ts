import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/** Gateway settings saved in the admin: one row per gateway, secrets sealed. */
export class Migration20261121230500 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table if not exists "payment_gateway_setting" ("id" text not null, "gateway" text check ("gateway" in ('secpaid', 'payin')) not null, "values" jsonb not null default '{}', "secrets" jsonb not null default '{}', "updated_by" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), "deleted_at" timestamptz null, constraint "payment_gateway_setting_pkey" primary key ("id"));`);
    this.addSql(`CREATE INDEX IF NOT EXISTS "IDX_payment_gateway_setting_deleted_at" ON "payment_gateway_setting" ("deleted_at") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_setting_gateway_unique" ON "payment_gateway_setting" ("gateway") WHERE deleted_at IS NULL;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "payment_gateway_setting" cascade;`);
  }

}
