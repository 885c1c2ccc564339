import type { AxiosInstance } from "axios"
import type { SandboxControl, Delivery } from "../../sandbox/control-client"
import type { RunningSandbox } from "../../sandbox/server"
import { startPaymentSession } from "../../integration-tests/helpers/checkout"
import { storeHeaders, type StoreFixture } from "../../integration-tests/helpers/store-fixture"
import type { CheckoutPlan, Gateway } from "./plan"

/**
 * One shopper of the storm, through the Store API like a storefront: cart → payment
 * session (the plugin creates the SecPaid link / PayIn order) → either pays at the
 * sandbox with the planned webhook mistreatment, or is left unpaid while an attacker
 * sends a forged / replayed webhook claiming it was paid.
 */

export type Stage = "waiting" | "cart" | "session" | "pay" | "done"

export type CheckoutRecord = CheckoutPlan & {
  stage: Stage
  cartId?: string
  /** SecPaid pay_id / PayIn order id. */
  ref?: string
  /** The Medusa payment session (payses_…) the plugin created the link / order for. */
  sessionId?: string
  /** The payment was made at the sandbox (the customer pressed Pay / sent the coins). */
  paymentMade: boolean
  /** When the sandbox's pay call returned, i.e. its webhook's first attempt had been answered (epoch ms). */
  paidAt?: number
  /** Why the checkout did not get as far as paying, if it did not. */
  failure?: { stage: Stage; kind: "store-down" | "store-error" | "sandbox-error"; message: string }
  /** Waited for the kill and paid while the store was dead: its webhooks went nowhere. */
  payWhileStoreDown?: boolean
  /** HTTP statuses the store answered to each attack webhook (undefined: no answer, e.g. the store was down). */
  attackStatuses?: Partial<Record<string, Array<number | undefined>>>
  /** Milliseconds spent creating the cart, the payment session, and paying (incl. waiting for the webhook's answer). */
  stageMs: Partial<Record<"cart" | "session" | "pay", number>>
  browserReturnStatus?: number
  startedAt: number
  endedAt?: number
}

export type CheckoutDeps = {
  api: AxiosInstance
  fixture: StoreFixture
  control: SandboxControl
  sandbox: RunningSandbox
  backendUrl: string
  /** Serialises "set webhook behaviour → pay → clear" per gateway, so a mode lands on this payment's webhook. */
  payLock: (gateway: Gateway, fn: () => Promise<void>) => Promise<void>
  /** Genuine deliveries to send again later (byte-for-byte replays). */
  replayLater: (delivery: Delivery) => void
  onPaid: () => void
  /** Resolves once the store has been killed. */
  storeKilled: Promise<void>
  /** Whether this payment should wait for the kill and be made while the store is dead (the storm wants one per gateway). */
  volunteerToPayWhileStoreDown: (gateway: Gateway) => boolean
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ECONNABORTED", "ETIMEDOUT", "ERR_SOCKET_CONNECTION_TIMEOUT"])

/** A store that is down and a store that answered an error are different outcomes; both are counted. */
export function classifyFailure(stage: Stage, e: unknown): NonNullable<CheckoutRecord["failure"]> {
  const err = e as { code?: string; response?: { status: number; data?: any }; message?: string }
  if (err.response) {
    const message = String(err.response.data?.message ?? JSON.stringify(err.response.data ?? "")).slice(0, 200)
    return { stage, kind: "store-error", message: `HTTP ${err.response.status}: ${message}` }
  }
  if ((err.code && NETWORK_CODES.has(err.code)) || /socket hang up|ECONNREFUSED|ECONNRESET/.test(err.message ?? "")) {
    return { stage, kind: "store-down", message: err.code ?? err.message ?? "network error" }
  }
  return { stage, kind: "sandbox-error", message: String(err.message ?? e).slice(0, 200) }
}

/**
 * The cart of integration-tests/helpers/checkout.ts (one item, address, shipping method) in two
 * calls instead of three — the storm needs only its id — and one shopper per checkout:
 * concurrent guest carts with the same email race on creating that guest customer.
 */
export async function createCart(api: AxiosInstance, fixture: StoreFixture, plan: CheckoutPlan): Promise<{ id: string }> {
  const h = storeHeaders(fixture)
  const eur = plan.gateway === "secpaid"
  const { data } = await api.post(
    "/store/carts",
    {
      region_id: fixture.regions[eur ? "eur" : "usd"].id,
      sales_channel_id: fixture.salesChannelId,
      email: `shopper+${plan.index}@example.com`,
      items: [{ variant_id: fixture.variantId, quantity: 1 }],
      shipping_address: {
        first_name: "Ada",
        last_name: "Lovelace",
        address_1: "1 Test Street",
        city: eur ? "Berlin" : "New York",
        postal_code: eur ? "10115" : "10001",
        country_code: eur ? "de" : "us",
      },
    },
    h
  )
  await api.post(`/store/carts/${data.cart.id}/shipping-methods`, { option_id: fixture.shippingOptions[eur ? "eur" : "usd"] }, h)
  return { id: data.cart.id }
}

export async function runCheckout(plan: CheckoutPlan, deps: CheckoutDeps, record: CheckoutRecord): Promise<void> {
  const { api, fixture, control, sandbox, backendUrl } = deps
  let mark = Date.now()
  const lap = (stage: "cart" | "session" | "pay") => {
    record.stageMs[stage] = Date.now() - mark
    mark = Date.now()
  }
  try {
    record.stage = "cart"
    const cart = await createCart(api, fixture, plan)
    record.cartId = cart.id
    lap("cart")
    record.stage = "session"
    const providerId = plan.gateway === "secpaid" ? "pp_secpaid_secpaid" : "pp_payin_payin"
    const { session } = await startPaymentSession(api, fixture, cart.id, providerId)
    record.ref = String(plan.gateway === "secpaid" ? session.data.pay_id : session.data.payin_order_id)
    record.sessionId = session.id
    lap("session")
    record.stage = "pay"

    if (plan.attacks) {
      const ref = record.ref
      record.attackStatuses = {}
      for (const attack of plan.attacks) {
        let deliveries: Delivery[] = []
        // Under the lock: the attack must not consume a webhook mode meant for a payment's webhook.
        await deps.payLock(plan.gateway, async () => {
          deliveries = (
            plan.gateway === "secpaid"
              ? await control.secpaidSendWebhook({ payId: ref, status: "success", to: `${backendUrl}/hooks/secpaid` })
              : await control.payinSendWebhook({ orderId: ref, type: "order.completed", variant: attack, to: `${backendUrl}/hooks/payin` })
          ).deliveries
        })
        // A webhook held back by "reorder" goes out right after whatever is sent next — possibly this attack; it is not part of it.
        record.attackStatuses[attack] = deliveries.filter((d) => !d.note?.startsWith("reordered") && d.body.includes(ref)).map((d) => d.status)
      }
      record.stage = "done"
      return
    }

    if (deps.volunteerToPayWhileStoreDown(plan.gateway)) {
      record.payWhileStoreDown = true
      await deps.storeKilled
    }
    let deliveries: Delivery[] = []
    let redirectUrl: string | undefined
    await deps.payLock(plan.gateway, async () => {
      await control.webhookBehaviour({ gateway: plan.gateway, mode: plan.webhook ?? "normal", count: 1, delayMs: 3000 })
      try {
        if (plan.gateway === "secpaid") {
          const paid = await control.secpaidPay(record.ref!)
          deliveries = paid.deliveries
          redirectUrl = paid.redirectUrl
        } else {
          // Exactly the amount the order asks for, as the decimal string the sandbox holds.
          const order = sandbox.context.payin.orders.find((o) => o.id === record.ref!.toLowerCase())
          if (!order) throw new Error(`The sandbox has no PayIn order ${record.ref}.`)
          const paid = await control.payinTransfer(record.ref!, { amount: order.amount })
          deliveries = paid.deliveries
        }
        record.paymentMade = true
        record.paidAt = Date.now()
      } finally {
        await control.webhookBehaviour({ gateway: plan.gateway, mode: "normal" })
      }
    })
    lap("pay")
    deps.onPaid()
    if (plan.replayGenuine) {
      const genuine = deliveries.find((d) => d.status !== undefined && !d.note)
      if (genuine) deps.replayLater(genuine)
    }
    if (plan.browserReturn && redirectUrl) {
      // The payment is made either way; a return that hits a dead store is just a lost page view.
      record.browserReturnStatus = await api
        .get(redirectUrl, { maxRedirects: 0, validateStatus: () => true })
        .then((res) => res.status, () => 0)
    }
    record.stage = "done"
  } catch (e) {
    record.failure = classifyFailure(record.stage, e)
  } finally {
    record.endedAt = Date.now()
  }
}
