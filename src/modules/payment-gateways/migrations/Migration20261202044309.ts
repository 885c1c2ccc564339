import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/** Delivery log rows that stand for several deliveries over the per-minute caps: how many, and until when. */
export class Migration20261202044309 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" add column if not exists "repeat_count" integer not null default 1;`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" add column if not exists "last_received_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" drop column if exists "last_received_at";`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" drop column if exists "repeat_count";`);
  }

}
