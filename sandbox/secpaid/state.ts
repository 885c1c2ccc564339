import {
  accountLabelOfKey,
  DEFAULT_ACCOUNT,
  SANDBOX_SECPAID_DEV_KEY,
  SANDBOX_SECPAID_PROD_KEY,
  type SecPaidEnvironment,
} from "../credentials"

/** How the sandbox shapes SecPaid webhook bodies; see README "SecPaid webhook formats". */
export type SecPaidWebhookFormat = "form" | "json-flat" | "json-nested"

export type SecPaidLinkStatus = "Unused" | "Used" | "Cancelled" | "Deleted" | "Refunded"

/**
 * Who owns a link or a pay-in row: an account label and an environment. A key sees only what its own
 * account created in its own environment. The two built-in keys are the default account's, one per environment.
 */
export type SecPaidOwner = { account: string; environment: SecPaidEnvironment }

/** A merchant account added through the control API (`secpaidAddAccount`), one key per account and environment. */
export type SecPaidAccount = SecPaidOwner & { apiKey: string }

/** The account a stored link or row belongs to; records without one belong to the default account. */
export const accountOf = (record: { account?: string }) => record.account ?? DEFAULT_ACCOUNT

export const isOwnedBy = (record: { account?: string; environment: SecPaidEnvironment }, owner: SecPaidOwner) =>
  record.environment === owner.environment && accountOf(record) === owner.account

export type SecPaidLink = {
  id: number
  environment: SecPaidEnvironment
  /** Label of the owning account; absent = the default account. */
  account?: string
  amount: string
  servicefee: string
  recipient_note: string
  callback_urls: string[]
  payment_endpoints: string[]
  cancellable: boolean
  bank_transfer: boolean
  is_qr_link: boolean
  is_encryption: boolean
  /** Kept to encrypt webhooks; never returned by the API. */
  encryption_key?: string
  bank_statement_description?: string
  is_split_link: boolean
  split_type?: "normal" | "absolute"
  recipients?: Array<{ token: string; share: string }>
  status: SecPaidLinkStatus
  created_at: string
  paid_on?: string
  cancelled_at?: string
  refund?: { amount: string; status: "Pending" | "Approved"; requested_at: string }
  disputed?: boolean
}

export type SecPaidTransactionType = "Basic" | "Split" | "Personal QR" | "Refund" | "Dispute" | "Dispute Refund"

export type SecPaidTransaction = {
  environment: SecPaidEnvironment
  /** Label of the owning account; absent = the default account. */
  account?: string
  pay_id: string
  transaction_id: string
  amount: string
  net_amount: string
  service_fee: string
  service_fee_psp: string
  status: "Success" | "Pending"
  recipient_note: string
  payment_method: string
  is_refund: "Yes" | "No"
  is_dispute: "Yes" | "No"
  is_split_link: "Yes" | "No"
  transaction_type: SecPaidTransactionType
  created_at: string
}

export type SecPaidConfig = {
  /** Wire format of webhooks for links without encryption (default "form", what SecPaid's own plugin parses). */
  webhookFormat: SecPaidWebhookFormat
  /** Separate the callback query with "&amp;" instead of "&", as seen in the wild. */
  ampersandRedirects: boolean
  /** "new" docs return the link id as `id`, "old" docs as `linktopay_id`. */
  docsGeneration: "new" | "old"
  /** URLs saved in the SecPaid profile, referenced by index ("0", "1") in callback_url / payment_endpoint. */
  profileCallbackUrls: string[]
  profilePaymentEndpoints: string[]
  /** Requests per minute per key before HTTP 429 (documented: 60). */
  rateLimitPerMinute: number
  /** Plaintext shape inside an encrypted webhook. */
  encryptedPlaintext: "nested" | "flat"
  /** Whether a cancel sends a webhook (most doc pages say yes, one says no). */
  webhookOnCancel: boolean
}

export const defaultSecPaidConfig = (): SecPaidConfig => ({
  webhookFormat: "form",
  ampersandRedirects: false,
  docsGeneration: "new",
  profileCallbackUrls: [],
  profilePaymentEndpoints: [],
  rateLimitPerMinute: 60,
  encryptedPlaintext: "nested",
  webhookOnCancel: true,
})

/** Everything SecPaid remembers: links, pay-in rows, accounts, configuration and rate-limit windows. */
export class SecPaidState {
  links: SecPaidLink[] = []
  /** Accounts added through the control API; the built-in keys are not listed here. */
  accounts: SecPaidAccount[] = []
  transactions: SecPaidTransaction[] = []
  config: SecPaidConfig
  nextLinkId = 42001
  nextTransactionSeq = 1
  /** Request timestamps per key for the sliding-window rate limit (not persisted). */
  requestStamps = new Map<string, number[]>()

  constructor(private readonly baseConfig: Partial<SecPaidConfig> = {}) {
    this.config = { ...defaultSecPaidConfig(), ...baseConfig }
  }

  reset(): void {
    this.links = []
    this.transactions = []
    this.accounts = []
    this.config = { ...defaultSecPaidConfig(), ...this.baseConfig }
    this.nextLinkId = 42001
    this.nextTransactionSeq = 1
    this.requestStamps.clear()
  }

  /** The account and environment a `token` belongs to, or undefined for an unknown key. */
  ownerOfKey(token: string): SecPaidOwner | undefined {
    if (token === SANDBOX_SECPAID_DEV_KEY) return { account: DEFAULT_ACCOUNT, environment: "development" }
    if (token === SANDBOX_SECPAID_PROD_KEY) return { account: DEFAULT_ACCOUNT, environment: "production" }
    const added = this.accounts.find((a) => a.apiKey === token)
    return added && { account: added.account, environment: added.environment }
  }

  /** Registers another merchant account; its key is then accepted like the built-in key of its environment. */
  addAccount(input: { apiKey: string; environment?: SecPaidEnvironment; account?: string }): SecPaidOwner {
    const owner: SecPaidOwner = { account: input.account ?? accountLabelOfKey(input.apiKey), environment: input.environment ?? "development" }
    if (this.ownerOfKey(input.apiKey)) throw new Error("This SecPaid API key is already in use")
    const taken = owner.account === DEFAULT_ACCOUNT || this.accounts.some((a) => isOwnedBy(a, owner))
    if (taken) throw new Error(`The SecPaid account "${owner.account}" already has a ${owner.environment} key`)
    this.accounts.push({ ...owner, apiKey: input.apiKey })
    return owner
  }

  /** A link the owner can see through the API (deleted links are gone). */
  findLink(owner: SecPaidOwner, id: string | number | undefined): SecPaidLink | undefined {
    const link = this.findLinkAnyEnvironment(id)
    return link && isOwnedBy(link, owner) && link.status !== "Deleted" ? link : undefined
  }

  /** Any account and environment: for the hosted page and the control API. */
  findLinkAnyEnvironment(id: string | number | undefined): SecPaidLink | undefined {
    if (id === undefined || !/^\d+$/.test(String(id).trim())) return undefined
    const numeric = Number(String(id).trim())
    return this.links.find((l) => l.id === numeric)
  }

  toJSON() {
    return {
      links: this.links,
      transactions: this.transactions,
      accounts: this.accounts,
      config: this.config,
      nextLinkId: this.nextLinkId,
      nextTransactionSeq: this.nextTransactionSeq,
    }
  }

  load(saved: Partial<ReturnType<SecPaidState["toJSON"]>>): void {
    this.links = saved.links ?? []
    this.transactions = saved.transactions ?? []
    this.accounts = saved.accounts ?? []
    // Settings given at start (options, environment) win over saved ones.
    this.config = { ...defaultSecPaidConfig(), ...(saved.config ?? {}), ...this.baseConfig }
    this.nextLinkId = saved.nextLinkId ?? 42001
    this.nextTransactionSeq = saved.nextTransactionSeq ?? 1
  }
}

/** SecPaid prints times as "YYYY-MM-DD HH:MM:SS" in server time (the docs say CEST; the sandbox uses UTC). */
export function secPaidTime(ms: number): string {
  return new Date(ms).toISOString().replace("T", " ").slice(0, 19)
}
