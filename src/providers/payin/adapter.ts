import { type GatewayAdapter, sessionText } from "../../lib/gateway-adapter"
import { isUrlSafeRegistrationId } from "../../modules/payment-gateways/registrations"
import { checkPayInConnection } from "./check-connection"
import { parsePayInOptions } from "./options"

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
  parseOptions: (raw) => parsePayInOptions(raw),
  checkConnection: checkPayInConnection,
  // The merchant registers it at PayIn. With several PayIn accounts each gets its registration's URL; the bare one
  // serves them all (by the secret that signed the delivery) and stays right for a store with one.
  webhookUrl: ({ backendUrl, registrationId, registrationsOfGateway }) => ({
    url: `${backendUrl}/hooks/payin${registrationsOfGateway > 1 && registrationId && isUrlSafeRegistrationId(registrationId) ? `/${registrationId}` : ""}`,
    where: "Register this URL in PayIn → Settings → Webhooks, with the webhook secret shown there saved here.",
  }),
}
