import { accountLabelOfKey, DEFAULT_ACCOUNT, SANDBOX_PAYIN_API_KEY, SANDBOX_PAYIN_WEBHOOK_SECRET } from "../credentials"

/** PayIn chains: which tokens each carries and how many confirmations an order waits for. */
export const PAYIN_CHAINS: Record<string, { tokens: Array<"USDT" | "USDC">; confirmations: number; protocol: "evm" | "tron" | "solana" }> = {
  "ethereum-sepolia": { tokens: ["USDC"], confirmations: 3, protocol: "evm" },
  "polygon-amoy": { tokens: ["USDC"], confirmations: 10, protocol: "evm" },
  "tron-nile": { tokens: ["USDT"], confirmations: 3, protocol: "tron" },
  "solana-devnet": { tokens: ["USDC"], confirmations: 1, protocol: "solana" },
  "ethereum-mainnet": { tokens: ["USDT", "USDC"], confirmations: 12, protocol: "evm" },
  "polygon-mainnet": { tokens: ["USDT", "USDC"], confirmations: 128, protocol: "evm" },
  "tron-mainnet": { tokens: ["USDT"], confirmations: 19, protocol: "tron" },
  "solana-mainnet": { tokens: ["USDC"], confirmations: 1, protocol: "solana" },
}

export type PayInOrderStatus = "pending" | "completed" | "expired"

export type PayInTransfer = {
  txHash: string
  amount: string
  confirmations: number
  detected_at: string
}

/**
 * The order row as PayIn's server stores it (snake_case); GET /orders/:id returns it minus the sandbox's own fields
 * `transfers`, `expired_at` and `account`.
 */
export type PayInOrder = {
  id: string
  /** Label of the account whose key created the order; absent = the default account. */
  account?: string
  order_reference: string
  amount: string
  token: "USDT" | "USDC"
  chain: string
  address: string
  required_confirmations: number
  status: PayInOrderStatus
  created_at: string
  payment_window_ends_at: string
  grace_period_ends_at: string
  first_transfer_detected_at: string | null
  completed_at: string | null
  expired_at: string | null
  confirmed_received: string
  metadata: Record<string, unknown> | null
  success_url: string | null
  cancel_url: string | null
  url: string
  transfers: PayInTransfer[]
}

/**
 * How PayIn signs: `timestamped` = `t=<unix>,v1=<hex HMAC of t.body>` (PayIn's server), `plain` = the hex HMAC of
 * the body alone, no timestamp (PayIn's API integration guide).
 */
export type PayInSignatureForm = "timestamped" | "plain"

export type PayInWebhookEndpoint = { url: string; secret: string; signatureForm?: PayInSignatureForm }

export type PayInConfig = {
  /** Addresses in the pool; each pending order holds one. 0 → every create answers ADDRESS_POOL_EXHAUSTED. */
  addressPoolSize: number
  /** The docs name DUPLICATE_ORDER_REFERENCE (409); the server code does not check. Off by default. */
  rejectDuplicateOrderReference: boolean
  webhookEndpoints: PayInWebhookEndpoint[]
  /** Send `transfer.detected` for a transfer that does not complete the order. */
  transferDetectedEvents: boolean
}

/** A merchant account added through the control API (`payinAddAccount`). */
export type PayInAccount = {
  account: string
  apiKey: string
  /** Signs this account's webhooks, unless an endpoint has a secret of its own. */
  webhookSecret: string
  webhookEndpoints: PayInWebhookEndpoint[]
}

/** The account an order belongs to; orders without one belong to the default account. */
export const accountOf = (order: { account?: string }) => order.account ?? DEFAULT_ACCOUNT

export const defaultPayInConfig = (): PayInConfig => ({
  addressPoolSize: 100,
  rejectDuplicateOrderReference: false,
  webhookEndpoints: [],
  transferDetectedEvents: true,
})

export class PayInState {
  orders: PayInOrder[] = []
  /**
   * Accounts added through the control API. The default account is not listed: its key and secret are the
   * built-in credentials and its endpoints are `config.webhookEndpoints`.
   */
  accounts: PayInAccount[] = []
  config: PayInConfig

  constructor(private readonly baseConfig: Partial<PayInConfig> = {}) {
    this.config = { ...defaultPayInConfig(), ...baseConfig }
  }

  reset(): void {
    this.orders = []
    this.accounts = []
    this.config = { ...defaultPayInConfig(), ...this.baseConfig }
  }

  /** The account label of an API key, or undefined for an unknown key. */
  accountOfKey(apiKey: string): string | undefined {
    if (apiKey === SANDBOX_PAYIN_API_KEY) return DEFAULT_ACCOUNT
    return this.accounts.find((a) => a.apiKey === apiKey)?.account
  }

  addAccount(input: { apiKey: string; webhookSecret: string; account?: string }): { account: string } {
    const account = input.account ?? accountLabelOfKey(input.apiKey)
    if (this.accountOfKey(input.apiKey)) throw new Error("This PayIn API key is already in use")
    if (account === DEFAULT_ACCOUNT || this.accounts.some((a) => a.account === account)) {
      throw new Error(`The PayIn account "${account}" already exists`)
    }
    this.accounts.push({ account, apiKey: input.apiKey, webhookSecret: input.webhookSecret, webhookEndpoints: [] })
    return { account }
  }

  /** Secret an account's webhooks are signed with when the endpoint has none of its own. */
  webhookSecretOf(account: string): string {
    return this.accounts.find((a) => a.account === account)?.webhookSecret ?? SANDBOX_PAYIN_WEBHOOK_SECRET
  }

  /** Where an account's webhooks go. */
  webhookEndpointsOf(account: string): PayInWebhookEndpoint[] {
    return this.accounts.find((a) => a.account === account)?.webhookEndpoints ?? this.config.webhookEndpoints
  }

  setWebhookEndpoints(account: string, endpoints: PayInWebhookEndpoint[]): void {
    const added = this.accounts.find((a) => a.account === account)
    if (added) added.webhookEndpoints = endpoints
    else this.config.webhookEndpoints = endpoints
  }

  find(id: string): PayInOrder | undefined {
    return this.orders.find((o) => o.id === id.toLowerCase())
  }

  toJSON() {
    return { orders: this.orders, accounts: this.accounts, config: this.config }
  }

  load(saved: Partial<ReturnType<PayInState["toJSON"]>>): void {
    this.orders = saved.orders ?? []
    this.accounts = saved.accounts ?? []
    // Settings given at start (options, SANDBOX_PAYIN_WEBHOOK_URLS) win over saved ones.
    this.config = { ...defaultPayInConfig(), ...(saved.config ?? {}), ...this.baseConfig }
  }
}
