import { MedusaError } from "@medusajs/framework/utils"
import type { GatewayRegistration } from "../modules/payment-gateways/registrations"
import { paymentGatewaysModule } from "../modules/payment-gateways/runtime"
import { settingsKeyFromCradle } from "../modules/payment-gateways/settings-key"
import { effectiveGatewayOptions, GATEWAY_LABELS, type GatewayId, type SavedGatewaySettings } from "./gateway-settings"

/** Where the saved settings come from: the plugin module's service (or a test double). */
export type GatewaySettingsSource = {
  gatewaySettings(gateway: GatewayId, options?: { key?: string; fallbackToGatewayRow?: boolean }): Promise<SavedGatewaySettings>
}

/** What a provider uses for one call: its options, the client built from them, and whether new payments are allowed. */
export type GatewayRuntimeState<O, C> = {
  options: O
  client: C
  enabled: boolean
  /** "config" when nothing is saved in the admin; changes whenever the saved row changes. */
  version: string
}

export type GatewaySettingsRuntimeSpec<O, C> = {
  gateway: GatewayId
  /**
   * The row the settings are saved under: the registration's provider id
   * (`pp_secpaid_eu`); the gateway id (the row saved per gateway) unless told otherwise.
   */
  settingsKey?: string
  /** Use the gateway's row without provider id while the registration has none of its own (the gateway's only registration). */
  fallbackToGatewayRow?: boolean
  /** The provider's options as medusa-config.ts gives them (before parsing). */
  configOptions: Record<string, unknown>
  /** What the provider built from `configOptions` at construction; used as long as nothing is saved. */
  config: { options: O; client: C }
  /** The provider's own option parser: admin values go through the same validation as medusa-config's. */
  parse(options: Record<string, unknown>): O
  buildClient(options: O): C
  /** Defaults to the plugin module of this process (`paymentGatewaysModule()`); absent means medusa-config only. */
  source?: () => GatewaySettingsSource | undefined
  logger?: { warn(message: string): void }
}

/**
 * The effective settings of one provider, asked for at the start of every call that
 * touches the gateway. Each ask goes to the plugin module, which answers from a copy
 * at most 20 s old (see gateway-settings-store.ts): no timers, nothing stale kept
 * between calls. A client is built once per settings version and reused until the
 * saved row changes.
 *
 * Without the plugin module (unit tests, a store that left it out) the provider's
 * medusa-config options and client are used as they are.
 */
export class GatewaySettingsRuntime<O, C> {
  private readonly configState_: GatewayRuntimeState<O, C>
  private last_: GatewayRuntimeState<O, C>
  private readFailureReported_ = false

  constructor(private readonly spec_: GatewaySettingsRuntimeSpec<O, C>) {
    const { enabled } = effectiveGatewayOptions(spec_.gateway, spec_.configOptions, { values: {}, secrets: {}, problems: [] })
    this.configState_ = { ...spec_.config, enabled, version: "config" }
    this.last_ = this.configState_
  }

  /**
   * The runtime of a provider as Medusa constructed it: settings saved in the admin for its
   * registration (`pp_<gateway>_<id>`), over the medusa-config options it was given, parsed
   * and turned into a client by the provider's own functions (`client`: one built already).
   */
  static forProvider<O, C>(input: {
    gateway: GatewayId
    cradle: unknown
    registration: GatewayRegistration | undefined
    options: Record<string, unknown>
    parse(options: Record<string, unknown>): O
    buildClient(options: O): C
    client?: C
    source?: () => GatewaySettingsSource | undefined
    logger?: { warn(message: string): void }
  }): GatewaySettingsRuntime<O, C> {
    const options = input.parse(input.options)
    return new GatewaySettingsRuntime<O, C>({
      gateway: input.gateway,
      ...settingsKeyFromCradle(input.cradle, input.gateway, input.registration),
      configOptions: { ...input.options },
      config: { options, client: input.client ?? input.buildClient(options) },
      parse: input.parse,
      buildClient: input.buildClient,
      source: input.source,
      logger: input.logger,
    })
  }

  get settingsKey(): string {
    return this.spec_.settingsKey ?? this.spec_.gateway
  }

  /** The state to use for this call. Throws (one sentence naming the option) when saved settings do not parse. */
  async current(): Promise<GatewayRuntimeState<O, C>> {
    const source = (this.spec_.source ?? paymentGatewaysModule)()
    if (!source) return this.configState_
    let saved: SavedGatewaySettings
    try {
      saved = await source.gatewaySettings(this.spec_.gateway, { key: this.settingsKey, fallbackToGatewayRow: this.spec_.fallbackToGatewayRow ?? false })
    } catch (error) {
      // A database hiccup must not stop payments: keep the last known settings until a read succeeds.
      if (!this.readFailureReported_) {
        this.readFailureReported_ = true
        this.spec_.logger?.warn(
          `Payment gateways: could not read the saved ${GATEWAY_LABELS[this.spec_.gateway]} settings (${(error as Error).message}); using the last known options until the next read succeeds.`
        )
      }
      return this.last_
    }
    this.readFailureReported_ = false
    const effective = effectiveGatewayOptions(this.spec_.gateway, this.spec_.configOptions, saved)
    if (effective.version === this.last_.version && effective.enabled === this.last_.enabled) return this.last_
    if (effective.version === "config") {
      this.last_ = { ...this.configState_, enabled: effective.enabled }
    } else {
      const options = this.spec_.parse(effective.options)
      this.last_ = { options, client: this.spec_.buildClient(options), enabled: effective.enabled, version: effective.version }
    }
    return this.last_
  }

  /** `current()`, refusing when the merchant switched the gateway off (new payments only; existing ones are still verified). */
  async forNewPayment(): Promise<GatewayRuntimeState<O, C>> {
    const state = await this.current()
    if (!state.enabled) {
      throw new MedusaError(
        MedusaError.Types.NOT_ALLOWED,
        `${GATEWAY_LABELS[this.spec_.gateway]} is switched off in Settings → Payment gateways; choose another payment method or switch it on again.`
      )
    }
    return state
  }
}
