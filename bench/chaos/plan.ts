/**
 * What each checkout of the storm does, decided up front from a seed so that a
 * failing run can be repeated: which gateway, whether it is paid (and how its
 * webhook is mistreated) or left unpaid and attacked with a forged / replayed webhook.
 */

export type Gateway = "secpaid" | "payin"
export type WebhookMode = "normal" | "duplicate" | "reorder" | "delay" | "drop"
export type Attack = "forged" | "replayed" | "unsigned" | "wrong-secret"

export type CheckoutPlan = {
  index: number
  gateway: Gateway
  /** Paid checkouts: how the sandbox treats the payment's next webhook. */
  webhook?: WebhookMode
  /** Paid checkouts: the shopper's browser also comes back to the store (races the webhook). */
  browserReturn?: boolean
  /** Paid checkouts: a genuine delivery is sent again a few seconds later, byte for byte. */
  replayGenuine?: boolean
  /**
   * Unpaid checkouts: what the attacker sends, one after the other. PayIn: every bad-signature
   * variant; SecPaid webhooks are unsigned, so its attack is a forged "success" the plugin must check with the API.
   */
  attacks?: Attack[]
}

const MODES: WebhookMode[] = ["normal", "duplicate", "reorder", "delay", "drop"]
const PAYIN_ATTACKS: Attack[] = ["forged", "replayed", "unsigned", "wrong-secret"]

/** mulberry32: a tiny seeded PRNG, good enough to shuffle a storm reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/**
 * Gateways alternate; one pair in four is left unpaid and attacked; the paid ones cycle
 * through the webhook modes, a quarter of SecPaid ones also return through the browser,
 * and one normal webhook in two is replayed later.
 */
export function planCheckouts(count: number, random: () => number): CheckoutPlan[] {
  const plans: CheckoutPlan[] = []
  let normals = 0
  for (let index = 0; index < count; index++) {
    const gateway: Gateway = index % 2 ? "payin" : "secpaid"
    const pair = index >> 1
    if (pair % 4 === 3) {
      plans.push({ index, gateway, attacks: gateway === "secpaid" ? ["forged"] : PAYIN_ATTACKS })
      continue
    }
    const webhook = MODES[Math.floor(random() * MODES.length)]
    const replayGenuine = webhook === "normal" && normals++ % 2 === 0
    plans.push({ index, gateway, webhook, replayGenuine, browserReturn: gateway === "secpaid" && random() < 0.25 })
  }
  return plans
}
