import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * `interrupted_attempt_at` on the webhook inbox: when an attempt began whose process
 * died before it ended. Processing uses it to remove an order that Medusa's cart
 * completion made but never linked to its cart before the cart is completed again.
 */
export class Migration20261204230000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_event" add column if not exists "interrupted_attempt_at" timestamptz null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_event" drop column if exists "interrupted_attempt_at";`);
  }

}
