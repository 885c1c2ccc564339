import { Migration } from "@medusajs/framework/mikro-orm/migrations";

/**
 * Admin settings per provider registration: `provider_id` on `payment_gateway_setting`
 * (`pp_secpaid_eu`), unique among live rows, so that a gateway registered several
 * times keeps one set of settings per registration.
 *
 * Settings saved per gateway before this migration move to the registration they
 * belong to, as far as the payment module's `payment_provider` table (the providers
 * the store registered) tells: the gateway's only provider (`pp_secpaid` or
 * `pp_secpaid_<id>`), else the documented default `pp_<gateway>_<gateway>` when it is
 * registered. A row neither finds keeps `provider_id` null; the gateway's only
 * registration still uses it, and the first save in the admin gives it that
 * registration's provider id.
 */
export class Migration20261202121000 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table if exists "payment_gateway_setting" add column if not exists "provider_id" text null;`);
    this.addSql(`drop index if exists "IDX_payment_gateway_setting_gateway_unique";`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_setting_provider_id_unique" ON "payment_gateway_setting" ("provider_id") WHERE deleted_at IS NULL;`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_setting_gateway_unique" ON "payment_gateway_setting" ("gateway") WHERE provider_id IS NULL AND deleted_at IS NULL;`);
    this.addSql(`
      DO $$
      BEGIN
        IF to_regclass('payment_provider') IS NOT NULL THEN
          WITH registered AS (
            SELECT s.id AS setting_id, p.id AS provider_id, count(*) OVER (PARTITION BY s.id) AS registrations
              FROM "payment_gateway_setting" s
              JOIN payment_provider p
                ON p.deleted_at IS NULL
               AND (p.id = 'pp_' || s.gateway OR starts_with(p.id, 'pp_' || s.gateway || '_'))
             WHERE s.provider_id IS NULL AND s.deleted_at IS NULL
          ), chosen AS (
            SELECT DISTINCT ON (r.setting_id) r.setting_id, r.provider_id
              FROM registered r
              JOIN "payment_gateway_setting" s ON s.id = r.setting_id
             WHERE r.registrations = 1 OR r.provider_id = 'pp_' || s.gateway || '_' || s.gateway
             ORDER BY r.setting_id
          )
          UPDATE "payment_gateway_setting" s
             SET provider_id = chosen.provider_id
            FROM chosen
           WHERE s.id = chosen.setting_id
             AND NOT EXISTS (SELECT 1 FROM "payment_gateway_setting" o WHERE o.provider_id = chosen.provider_id AND o.deleted_at IS NULL);
        END IF;
      END $$;
    `);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists "IDX_payment_gateway_setting_provider_id_unique";`);
    this.addSql(`drop index if exists "IDX_payment_gateway_setting_gateway_unique";`);
    this.addSql(`alter table if exists "payment_gateway_setting" drop column if exists "provider_id";`);
    this.addSql(`CREATE UNIQUE INDEX IF NOT EXISTS "IDX_payment_gateway_setting_gateway_unique" ON "payment_gateway_setting" ("gateway") WHERE deleted_at IS NULL;`);
  }

}
