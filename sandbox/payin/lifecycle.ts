import { createHash, randomBytes } from "node:crypto"
import type { SandboxContext } from "../context"
import { formatTrimmed, parseDecimal } from "../decimal"
import type { Delivery } from "../webhook-delivery"
import type { PayInOrder } from "./state"
import { accountOf, PAYIN_CHAINS } from "./state"
import { payInEventForOrder, payInWebhooks } from "./webhooks"

/**
 * An order's life: transfers accumulate in confirmed_received; pending → completed once
 * it reaches the amount (overpaying included), pending → expired at the end of the grace
 * period even when part of the amount arrived. Stablecoin amounts have up to 18 decimals.
 */
export const TOKEN_SCALE = 18

export const toUnits = (amount: string) => parseDecimal(amount, TOKEN_SCALE)
export const fromUnits = (units: bigint) => formatTrimmed(units, TOKEN_SCALE)

const BASE58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"

/** A plausible deposit address for the chain, derived from the order id. */
export function paymentAddressFor(chain: string, seed: string): string {
  const digest = createHash("sha256").update(seed).digest()
  const protocol = PAYIN_CHAINS[chain]?.protocol ?? "evm"
  if (protocol === "evm") return `0x${digest.subarray(0, 20).toString("hex")}`
  const chars = [...digest, ...createHash("sha256").update(digest).digest()].map((b) => BASE58[b % 58])
  return protocol === "tron" ? `T${chars.slice(0, 33).join("")}` : chars.slice(0, 44).join("")
}

function fakeTxHash(chain: string): string {
  const protocol = PAYIN_CHAINS[chain]?.protocol ?? "evm"
  if (protocol === "solana") return [...randomBytes(64)].map((b) => BASE58[b % 58]).join("").slice(0, 88)
  return protocol === "tron" ? randomBytes(32).toString("hex") : `0x${randomBytes(32).toString("hex")}`
}

/** Sends an order's event to its account's endpoints, signed with its account's secret. */
function dispatchEvent(ctx: SandboxContext, order: PayInOrder, type: string, extra: Record<string, unknown> = {}): Promise<Delivery[]> {
  const endpoints = ctx.payin.webhookEndpointsOf(accountOf(order))
  if (endpoints.length === 0) return Promise.resolve([])
  const event = payInEventForOrder(order, type, ctx.clock.nowDate().toISOString(), extra)
  return ctx.webhooks.dispatch(payInWebhooks(event, endpoints))
}

/** Expires every pending order whose grace period has ended; resolves with the webhooks' first attempts. */
export async function sweepPayInExpiry(ctx: SandboxContext): Promise<Delivery[]> {
  const now = ctx.clock.now()
  const due = ctx.payin.orders.filter((o) => o.status === "pending" && Date.parse(o.grace_period_ends_at) <= now)
  for (const order of due) {
    order.status = "expired"
    order.expired_at = order.grace_period_ends_at
  }
  if (due.length === 0) return []
  ctx.persist()
  const deliveries: Delivery[] = []
  for (const order of due) deliveries.push(...(await dispatchEvent(ctx, order, "order.expired", { reason: "payment_window_expired" })))
  return deliveries
}

export class PayInTransferError extends Error {}

/**
 * A customer's wallet sends `amount` to the order's address. The sandbox confirms
 * instantly with the chain's required confirmations. Transfers after the order ended
 * are recorded (money did arrive) but do not change its terminal status.
 */
export async function transferToPayInOrder(
  ctx: SandboxContext,
  order: PayInOrder,
  amount: string
): Promise<{ order: PayInOrder; deliveries: Delivery[] }> {
  const units = toUnits(amount)
  if (units === undefined || units <= 0n) throw new PayInTransferError(`"${amount}" is not a positive decimal amount.`)
  const deliveries = await sweepPayInExpiry(ctx)
  const now = ctx.clock.nowDate().toISOString()
  order.transfers.push({
    txHash: fakeTxHash(order.chain),
    amount: fromUnits(units),
    confirmations: order.required_confirmations,
    detected_at: now,
  })
  order.first_transfer_detected_at ??= now
  const received = (toUnits(order.confirmed_received) ?? 0n) + units
  order.confirmed_received = fromUnits(received)
  const wasPending = order.status === "pending"
  if (wasPending && received >= (toUnits(order.amount) ?? 0n)) {
    order.status = "completed"
    order.completed_at = now
  }
  ctx.persist()
  if (wasPending && order.status === "completed") {
    deliveries.push(...(await dispatchEvent(ctx, order, "order.completed")))
  } else if (ctx.payin.config.transferDetectedEvents) {
    deliveries.push(...(await dispatchEvent(ctx, order, "transfer.detected", { transfer_amount: fromUnits(units) })))
  }
  return { order, deliveries }
}

/** The order row as PayIn's server returns it from GET /orders/:id. */
export function payInOrderRow(order: PayInOrder) {
  const { transfers: _transfers, expired_at: _expiredAt, account: _account, ...row } = order
  return row
}

/** Where the hosted page sends the customer back, with the documented query appended. */
export function payInReturnUrl(order: PayInOrder, base: string): string {
  const url = new URL(base)
  url.searchParams.set("order_reference", order.order_reference)
  url.searchParams.set("status", order.status)
  url.searchParams.set("amount", order.amount)
  url.searchParams.set("currency", order.token)
  url.searchParams.set("chain_id", order.chain)
  url.searchParams.set("completed_at", order.completed_at ?? "")
  return url.toString()
}
