import { type GatewayAdapter, sessionText } from "../../lib/gateway-adapter"
import { checkSecPaidConnection } from "./check-connection"

/** SecPaid for the plugin's shared layer (see GatewayAdapter). */
export const secPaidAdapter: GatewayAdapter = {
  gateway: "secpaid",
  label: "SecPaid",
  referenceLabel: "Link id",
  summarizeSessionData: (data) => ({
    reference: sessionText(data.pay_id),
    paymentUrl: sessionText(data.pay_link),
    gatewayStatus: sessionText(data.secpaid_status),
    receivedAmount: sessionText(data.paid_amount),
  }),
  checkConnection: checkSecPaidConnection,
}
