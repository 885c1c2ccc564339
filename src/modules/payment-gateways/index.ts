import { Module } from "@medusajs/framework/utils"
import PaymentGatewaysModuleService from "./service"

/** The plugin's module: webhook inbox, delivery log, payment flags (and, later, gateway settings). */
export const PAYMENT_GATEWAYS_MODULE = "paymentGateways"

export default Module(PAYMENT_GATEWAYS_MODULE, { service: PaymentGatewaysModuleService })

export type { default as PaymentGatewaysModuleService } from "./service"
