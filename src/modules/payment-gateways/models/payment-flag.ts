import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * Something about a payment the merchant must look at: money that arrived after a
 * cancel, amounts that do not match. Never dropped; resolved by hand (resolved_at).
 */
export const PAYMENT_FLAG_KINDS = ["payment_after_cancel", "amount_mismatch", "partial_payment", "overpayment"] as const
export type PaymentFlagKind = (typeof PAYMENT_FLAG_KINDS)[number]

export const PaymentFlag = model
  .define("payment_gateway_payment_flag", {
    id: model.id({ prefix: "pgpf" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** The registration the payment went through (`pp_secpaid_eu`); null on flags recorded before registrations were: the gateway's only one. */
    provider_id: model.text().nullable(),
    /** The gateway's payment reference (SecPaid pay_id, PayIn order id). */
    reference: model.text(),
    kind: model.enum([...PAYMENT_FLAG_KINDS]),
    session_id: model.text().nullable(),
    order_id: model.text().nullable(),
    details: model.json().nullable(),
    resolved_at: model.dateTime().nullable(),
  })
  .indexes([{ on: ["gateway", "reference", "kind"], unique: true }])
