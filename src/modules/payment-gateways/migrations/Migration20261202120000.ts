import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * The registration (payment provider id, `pp_secpaid_eu`) on inbox events, delivery-log
 * rows, payment flags and issued references, so a store may register a gateway under any
 * id and several times. Rows written before have none: they belong to the gateway's only
 * registration (see `registrationOfRow` in gateway-registry.ts).
 */
export class Migration20261202120000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_webhook_event" add column if not exists "provider_id" text null;`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" add column if not exists "provider_id" text null;`);
    this.addSql(`alter table if exists "payment_gateway_payment_flag" add column if not exists "provider_id" text null;`);
    this.addSql(`alter table if exists "payment_gateway_issued_reference" add column if not exists "provider_id" text null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_issued_reference" drop column if exists "provider_id";`);
    this.addSql(`alter table if exists "payment_gateway_payment_flag" drop column if exists "provider_id";`);
    this.addSql(`alter table if exists "payment_gateway_webhook_delivery" drop column if exists "provider_id";`);
    this.addSql(`alter table if exists "payment_gateway_webhook_event" drop column if exists "provider_id";`);
  }

}
