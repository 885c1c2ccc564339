import type { MedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { findGatewayRegistration, gatewayRegistrationsOf, type RegisteredGateway } from "../../modules/payment-gateways/gateway-registry"
import type { GatewayId } from "../../modules/payment-gateways/models/webhook-event"
import { isUrlSafeRegistrationId } from "../../modules/payment-gateways/registrations"

/**
 * The registrations a webhook URL may stand for: the one `/hooks/<gateway>/<id>` names,
 * or every registration of the gateway for the bare `/hooks/<gateway>` (the route then
 * tells them apart: PayIn by signature, SecPaid by the link's issued reference). From the
 * registry's cached list, so an anonymous post costs no query for it. Answers 404 itself
 * (body unread) and returns undefined when the URL names no registration of this store.
 */
export async function webhookRegistrations(
  req: MedusaRequest,
  res: MedusaResponse,
  gateway: GatewayId,
  registrationId?: string
): Promise<RegisteredGateway[] | undefined> {
  let message: string
  if (registrationId === undefined) {
    const all = await gatewayRegistrationsOf(req.scope, gateway)
    if (all.length) return all
    message = `This store has no ${gateway} payment provider registered; add it to medusa-config.ts.`
  } else if (!isUrlSafeRegistrationId(registrationId)) {
    message = `This store has no ${gateway} payment provider registered under that id; check the webhook URL configured at ${gateway}.`
  } else {
    const lookup = await findGatewayRegistration(req.scope, gateway, registrationId)
    if (lookup.ok) return [lookup.registration]
    message = lookup.message
  }
  req.resume() // the body is not needed: discard it unread
  res.status(404).json({ message })
  return undefined
}
