import { type GatewayAdapter, sessionText } from "../../lib/gateway-adapter"
import { checkPayInConnection } from "./check-connection"

/** PayIn for the plugin's shared layer (see GatewayAdapter). */
export const payInAdapter: GatewayAdapter = {
  gateway: "payin",
  label: "PayIn",
  referenceLabel: "PayIn order id",
  summarizeSessionData: (data) => ({
    reference: sessionText(data.payin_order_id),
    paymentUrl: sessionText(data.payment_url),
    gatewayStatus: sessionText(data.payin_status),
    receivedAmount: sessionText(data.confirmed_received),
  }),
  checkConnection: checkPayInConnection,
}
