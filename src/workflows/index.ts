/** Workflows and processing functions of the plugin, importable as `<package>/workflows`. */
export { processGatewayWebhookEvent, type ProcessWebhookEventResult } from "./process-gateway-webhook-event"
export {
  reconcileGatewayPayments,
  reconcileGatewayPaymentsWorkflow,
  type ReconcileGatewayPaymentsOptions,
  type ReconcileGatewayPaymentsReport,
} from "./reconcile-gateway-payments"
export { verifyOrderPaymentForFulfillment, type FulfillmentPaymentCheck } from "./verify-order-payment-for-fulfillment"
