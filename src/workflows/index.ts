/** Workflows and processing functions of the plugin, importable as `<package>/workflows`. */
export { processGatewayWebhookEvent, type ProcessWebhookEventResult } from "./process-gateway-webhook-event"
