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
 * The `payment_gateway_setting` table, owned by the plugin module: reads (decrypted),
 * a per-process cache, and writes (secrets sealed with secret-box.ts before they reach
 * the database). Rows are keyed by a settings key, today the gateway id
 * (`secpaid`/`payin`); every method takes the key as a string so that a key per
 * provider registration needs no change here.
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
  async read(gateway: GatewayId, key: string = gateway): Promise<SavedGatewaySettings> {
    let row: StoredGatewaySettingsRow | undefined
    try {
      const result = await this.pg_.raw(
        `SELECT "values", "secrets", "updated_at", "updated_by" FROM ${SETTINGS_TABLE} WHERE gateway = ? AND deleted_at IS NULL LIMIT 1`,
        [key]
      )
      row = result.rows[0]
    } catch (error) {
      // 42P01: the plugin module's migrations have not run.
      if ((error as { code?: string }).code !== "42P01") throw error
      this.warnOnce_(
        "missing-table",
        `Payment gateways: table ${SETTINGS_TABLE} does not exist, so only medusa-config options are used; run \`medusa db:migrate\` to enable admin settings.`
      )
      return { values: {}, secrets: {}, problems: [], missingTable: true }
    }
    const saved = decodeSavedGatewaySettings(gateway, row, this.log_)
    for (const problem of saved.problems) this.warnOnce_(`${key}:${problem}`, problem)
    return saved
  }

  /** The saved settings, from this process's copy when it is younger than the max age (concurrent callers share one read). */
  cached(gateway: GatewayId, key: string = gateway): Promise<SavedGatewaySettings> {
    const hit = this.cache_.get(key)
    if (hit && this.now_() - hit.at < this.maxAgeMs_) return hit.promise
    const entry: CacheEntry = { at: this.now_(), promise: this.read(gateway, key) }
    this.cache_.set(key, entry)
    // A failed read is not kept: the next call tries the database again.
    entry.promise.catch(() => this.cache_.get(key) === entry && this.cache_.delete(key))
    return entry.promise
  }

  /** Forgets this process's copy (all keys when none is named): the next `cached` reads the database. */
  invalidate(key?: string): void {
    if (key === undefined) this.cache_.clear()
    else this.cache_.delete(key)
  }

  /**
   * Applies a patch to the saved row and returns the settings as saved. Built from the
   * sealed row, so secrets this server cannot open (sealed with another key) are kept
   * unless the patch replaces or removes them. Throws when the patch sets a secret and
   * no encryption key is available.
   */
  async save(gateway: GatewayId, patch: GatewaySettingsPatch, { key = gateway, updatedBy = null }: { key?: string; updatedBy?: string | null } = {}): Promise<SavedGatewaySettings> {
    const secretNames = Object.keys(patch).filter((name) => isSecretSetting(gateway, name) && patch[name] !== null && patch[name] !== undefined)
    const box = resolveSecretBoxKey()
    if (secretNames.length && !box.ok) {
      throw new Error(`The ${GATEWAY_LABELS[gateway]} secrets ${secretNames.join(", ")} cannot be stored: ${box.reason}`)
    }
    if (box.ok && secretNames.length && this.log_) {
      const log = this.log_
      warnOnceIfDevelopmentKey(box.key, (m) => log.warn(m))
    }
    const current = await this.pg_.raw(`SELECT "values", "secrets" FROM ${SETTINGS_TABLE} WHERE gateway = ? AND deleted_at IS NULL`, [key])
    const values: Record<string, unknown> = { ...(current.rows[0]?.values ?? {}) }
    const secrets: Record<string, string> = { ...(current.rows[0]?.secrets ?? {}) }
    for (const [name, value] of Object.entries(patch)) {
      if (value === undefined) continue
      if (isSecretSetting(gateway, name)) {
        if (value === null) delete secrets[name]
        else if (box.ok) secrets[name] = sealSecret(String(value), secretContext(gateway, name), box.key)
      } else if (value === null) delete values[name]
      else values[name] = value
    }
    await this.pg_.raw(
      `INSERT INTO ${SETTINGS_TABLE} (id, gateway, "values", "secrets", updated_by, created_at, updated_at)
       VALUES (?, ?, ?::jsonb, ?::jsonb, ?, clock_timestamp(), clock_timestamp())
       ON CONFLICT (gateway) WHERE deleted_at IS NULL
       DO UPDATE SET "values" = EXCLUDED."values", "secrets" = EXCLUDED."secrets", updated_by = EXCLUDED.updated_by, updated_at = clock_timestamp()`,
      [generateEntityId(undefined, "pgst"), key, JSON.stringify(values), JSON.stringify(secrets), updatedBy]
    )
    // This process's next call uses the saved row: the copy is replaced by a read made after the write.
    this.invalidate(key)
    return await this.cached(gateway, key)
  }

  private warnOnce_(key: string, message: string): void {
    if (!this.log_ || this.warned_.has(key)) return
    this.warned_.add(key)
    this.log_.warn(message)
  }
}
