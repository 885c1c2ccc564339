import type { Knex } from "@medusajs/framework/mikro-orm/knex"
import { generateEntityId } from "@medusajs/framework/utils"
import {
  decodeSavedGatewaySettings,
  GATEWAY_LABELS,
  isSecretSetting,
  secretContext,
  SETTINGS_MAX_AGE_MS,
  SETTINGS_TABLE,
  type GatewayId,
  type SavedGatewaySettings,
  type StoredGatewaySettingsRow,
} from "../../lib/gateway-settings"
import { resolveSecretBoxKey, sealSecret, warnOnceIfDevelopmentKey } from "../../lib/secret-box"

type Log = { warn(message: string): void }

/** Per field: absent or undefined keeps the saved value, null removes it (medusa-config applies again), a value saves it. */
export type GatewaySettingsPatch = Record<string, unknown>

type CacheEntry = { at: number; promise: Promise<SavedGatewaySettings> }

/**
 * Which row a read or save addresses. `key` is a provider registration's id
 * (`pp_secpaid_eu`: the row saved for that registration) or the bare gateway id
 * (`secpaid`: the row saved per gateway, before settings were kept per registration).
 * `fallbackToGatewayRow`: a registration that has no row of its own uses its
 * gateway's row without provider id (only ever true for the gateway's only
 * registration: see settings-key.ts), and its first save takes that row over.
 */
export type SettingsRowSelector = { key?: string; fallbackToGatewayRow?: boolean }

type RowRef = { id: string; provider_id: string | null; values: unknown; secrets: unknown }

const COLUMNS = `"values", "secrets", "updated_at", "updated_by"`

/**
 * The `payment_gateway_setting` table, owned by the plugin module: reads (decrypted),
 * a per-process cache, and writes (secrets sealed with secret-box.ts before they reach
 * the database). Rows are kept per provider registration (`provider_id`); every
 * method takes the settings key as a string (see `SettingsRowSelector`).
 *
 * Freshness: `cached` answers from a copy at most `maxAgeMs` (20 s) old and reads
 * again past that. Every provider asks for the settings at the start of each call
 * (./gateway-runtime.ts), so a change saved on another instance is used within 20 s
 * of the save; `save` replaces this process's copy, so the saving instance uses the
 * change on its very next call.
 */
export class GatewaySettingsStore {
  private readonly cache_ = new Map<string, CacheEntry>()
  private readonly warned_ = new Set<string>()

  constructor(
    private readonly pg_: Knex,
    private readonly log_?: Log,
    private readonly maxAgeMs_: number = SETTINGS_MAX_AGE_MS,
    private readonly now_: () => number = Date.now
  ) {}

  /** The saved settings from the database (no cache). A missing table means "nothing saved", reported once. */
  async read(gateway: GatewayId, key: string = gateway, { fallbackToGatewayRow = false }: Omit<SettingsRowSelector, "key"> = {}): Promise<SavedGatewaySettings> {
    let row: StoredGatewaySettingsRow | undefined
    try {
      row = (await this.select_<StoredGatewaySettingsRow>(COLUMNS, gateway, key, fallbackToGatewayRow))[0]
    } catch (error) {
      const code = (error as { code?: string }).code
      // 42P01: the plugin module's migrations have not run.
      if (code === "42P01") {
        this.warnOnce_(
          "missing-table",
          `Payment gateways: table ${SETTINGS_TABLE} does not exist, so only medusa-config options are used; run \`medusa db:migrate\` to enable admin settings.`
        )
        return { values: {}, secrets: {}, problems: [], missingTable: true }
      }
      // 42703: the plugin was upgraded but `provider_id` is not migrated yet: the row saved per gateway still applies.
      if (code !== "42703") throw error
      this.warnOnce_(
        "missing-provider-id",
        `Payment gateways: ${SETTINGS_TABLE} has no provider_id column yet, so settings are read per gateway; run \`medusa db:migrate\` to keep them per provider registration.`
      )
      const result = await this.pg_.raw(`SELECT ${COLUMNS} FROM ${SETTINGS_TABLE} WHERE gateway = ? AND deleted_at IS NULL LIMIT 1`, [gateway])
      row = result.rows[0]
    }
    const saved = decodeSavedGatewaySettings(gateway, row, this.log_)
    for (const problem of saved.problems) this.warnOnce_(`${key}:${problem}`, problem)
    return saved
  }

  /** The saved settings, from this process's copy when it is younger than the max age (concurrent callers share one read). */
  cached(gateway: GatewayId, key: string = gateway, { fallbackToGatewayRow = false }: Omit<SettingsRowSelector, "key"> = {}): Promise<SavedGatewaySettings> {
    const cacheKey = `${key}\u0000${fallbackToGatewayRow ? 1 : 0}`
    const hit = this.cache_.get(cacheKey)
    if (hit && this.now_() - hit.at < this.maxAgeMs_) return hit.promise
    const entry: CacheEntry = { at: this.now_(), promise: this.read(gateway, key, { fallbackToGatewayRow }) }
    this.cache_.set(cacheKey, entry)
    // A failed read is not kept: the next call tries the database again.
    entry.promise.catch(() => this.cache_.get(cacheKey) === entry && this.cache_.delete(cacheKey))
    return entry.promise
  }

  /** Forgets this process's copy (all keys when none is named): the next `cached` reads the database. */
  invalidate(key?: string): void {
    if (key === undefined) this.cache_.clear()
    else for (const cacheKey of [...this.cache_.keys()]) if (cacheKey.startsWith(`${key}\u0000`)) this.cache_.delete(cacheKey)
  }

  /**
   * Applies a patch to the saved row and returns the settings as saved. Built from the
   * sealed row, so secrets this server cannot open (sealed with another key) are kept
   * unless the patch replaces or removes them. Throws when the patch sets a secret and
   * no encryption key is available.
   *
   * A registration that was using its gateway's row without provider id
   * (`fallbackToGatewayRow`) takes that row over: the row gets the registration's
   * provider id, so the settings are not duplicated.
   */
  async save(
    gateway: GatewayId,
    patch: GatewaySettingsPatch,
    { key = gateway, fallbackToGatewayRow = false, updatedBy = null }: SettingsRowSelector & { updatedBy?: string | null } = {}
  ): Promise<SavedGatewaySettings> {
    const secretNames = Object.keys(patch).filter((name) => isSecretSetting(gateway, name) && patch[name] !== null && patch[name] !== undefined)
    const box = resolveSecretBoxKey()
    if (secretNames.length && !box.ok) {
      throw new Error(`The ${GATEWAY_LABELS[gateway]} secrets ${secretNames.join(", ")} cannot be stored: ${box.reason}`)
    }
    if (box.ok && secretNames.length && this.log_) {
      const log = this.log_
      warnOnceIfDevelopmentKey(box.key, (m) => log.warn(m))
    }
    const current = (await this.select_<RowRef>(`id, provider_id, "values", "secrets"`, gateway, key, fallbackToGatewayRow))[0]
    const values: Record<string, unknown> = { ...((current?.values as Record<string, unknown>) ?? {}) }
    const secrets: Record<string, string> = { ...((current?.secrets as Record<string, string>) ?? {}) }
    for (const [name, value] of Object.entries(patch)) {
      if (value === undefined) continue
      if (isSecretSetting(gateway, name)) {
        if (value === null) delete secrets[name]
        else if (box.ok) secrets[name] = sealSecret(String(value), secretContext(gateway, name), box.key)
      } else if (value === null) delete values[name]
      else values[name] = value
    }
    const row = [JSON.stringify(values), JSON.stringify(secrets), updatedBy]
    const perGateway = key === gateway
    const tookOver = !perGateway && !!current && current.provider_id === null && (await this.takeOver_(current.id, key, row))
    if (!tookOver) {
      await this.pg_.raw(
        `INSERT INTO ${SETTINGS_TABLE} (id, gateway, provider_id, "values", "secrets", updated_by, created_at, updated_at)
         VALUES (?, ?, ?, ?::jsonb, ?::jsonb, ?, clock_timestamp(), clock_timestamp())
         ON CONFLICT ${perGateway ? "(gateway) WHERE provider_id IS NULL AND deleted_at IS NULL" : "(provider_id) WHERE deleted_at IS NULL"}
         DO UPDATE SET "values" = EXCLUDED."values", "secrets" = EXCLUDED."secrets", updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()`,
        [generateEntityId(undefined, "pgst"), gateway, perGateway ? null : key, ...row]
      )
    }
    // This process's next call uses the saved row: the copies are replaced by reads made after the write
    // (all of them: a row taken over no longer answers for the bare gateway key).
    this.invalidate()
    return await this.cached(gateway, key, { fallbackToGatewayRow })
  }

  /**
   * Gives the gateway's row without provider id to the registration `key`, with the
   * patched values. False when it is no longer there to take (another save took it
   * meanwhile, or the registration has a row of its own by now).
   */
  private async takeOver_(id: string, key: string, [values, secrets, updatedBy]: Array<string | null>): Promise<boolean> {
    try {
      const result = await this.pg_.raw(
        `UPDATE ${SETTINGS_TABLE}
            SET provider_id = ?, "values" = ?::jsonb, "secrets" = ?::jsonb, updated_by = ?, updated_at = clock_timestamp()
          WHERE id = ? AND provider_id IS NULL AND deleted_at IS NULL
          RETURNING id`,
        [key, values, secrets, updatedBy, id]
      )
      return result.rows.length > 0
    } catch (error) {
      // 23505: the registration got a row of its own meanwhile; the upsert below writes to that one.
      if ((error as { code?: string }).code === "23505") return false
      throw error
    }
  }

  /** The row a key addresses (see `SettingsRowSelector`): the registration's own row first, else its gateway's row when it may fall back to it. */
  private async select_<T>(columns: string, gateway: GatewayId, key: string, fallbackToGatewayRow: boolean): Promise<T[]> {
    const result =
      key === gateway
        ? await this.pg_.raw(`SELECT ${columns} FROM ${SETTINGS_TABLE} WHERE gateway = ? AND provider_id IS NULL AND deleted_at IS NULL LIMIT 1`, [gateway])
        : fallbackToGatewayRow
          ? await this.pg_.raw(
              `SELECT ${columns} FROM ${SETTINGS_TABLE}
                WHERE deleted_at IS NULL AND (provider_id = ? OR (provider_id IS NULL AND gateway = ?))
                ORDER BY provider_id NULLS LAST LIMIT 1`,
              [key, gateway]
            )
          : await this.pg_.raw(`SELECT ${columns} FROM ${SETTINGS_TABLE} WHERE provider_id = ? AND deleted_at IS NULL LIMIT 1`, [key])
    return result.rows
  }
  private warnOnce_(key: string, message: string): void {
    if (!this.log_ || this.warned_.has(key)) return
    this.warned_.add(key)
    this.log_.warn(message)
  }
}
