import type { GatewayAdapter } from "../../lib/gateway-adapter"
import type { GatewayId } from "../../lib/gateway-settings"
import { payInAdapter } from "../../providers/payin/adapter"
import { secPaidAdapter } from "../../providers/secpaid/adapter"

/** The gateways this plugin speaks to, by the identifier their providers register with. */
const ADAPTERS: Record<GatewayId, GatewayAdapter> = { secpaid: secPaidAdapter, payin: payInAdapter }

export function gatewayAdapter(gateway: GatewayId): GatewayAdapter {
  return ADAPTERS[gateway]
}
