import { model } from "@medusajs/framework/utils"
import { GATEWAYS } from "./webhook-event"

/**
 * Every payment reference this store created at a gateway (a SecPaid link's pay_id),
 * with the Medusa payment session it was created for. Written when the provider
 * creates the link and never deleted — a link replaced by a cart change can still be
 * paid, and its money must still find its session.
 *
 * It is what makes an unsigned webhook cheap to refuse: a claim naming a reference
 * that is not here was not issued by this store, so it costs no gateway call and
 * stores no inbox event.
 */
export const IssuedReference = model
  .define("payment_gateway_issued_reference", {
    id: model.id({ prefix: "pgir" }).primaryKey(),
    gateway: model.enum([...GATEWAYS]),
    /** The registration that issued it (`pp_secpaid_eu`); null on references issued before registrations were recorded: the gateway's only one. */
    provider_id: model.text().nullable(),
    /** The gateway's id of the payment (SecPaid pay_id). */
    reference: model.text(),
    /** The Medusa payment session (`payses_…`) the reference was created for. */
    session_id: model.text(),
  })
  .indexes([{ on: ["gateway", "reference"], unique: true }])
