import { type GatewayAdapter, sessionText } from "../../lib/gateway-adapter"
import { checkSecPaidConnection } from "./check-connection"
import { defaultSecPaidPaymentEndpoint, parseSecPaidOptions } from "./options"

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
  parseOptions: (raw) => parseSecPaidOptions(raw),
  checkConnection: checkSecPaidConnection,
  // What the provider sends with every link: the Payment endpoint setting's first URL, else this registration's route.
  webhookUrl: ({ backendUrl, options, registrationId }) => {
    const endpoints = Array.isArray(options.paymentEndpoint) ? (options.paymentEndpoint as string[]) : []
    return {
      url: endpoints.find((e) => !/^\d+$/.test(e)) ?? defaultSecPaidPaymentEndpoint(backendUrl, registrationId),
      where: endpoints.length
        ? "Sent as payment_endpoint with every payment link (from the Payment endpoint setting); URLs saved in your SecPaid profile are referenced by index."
        : "Sent as payment_endpoint with every payment link; if you reference profile endpoints instead, save this URL in your SecPaid profile.",
    }
  },
}
