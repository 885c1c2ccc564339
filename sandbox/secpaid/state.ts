import type { SecPaidEnvironment } from "../credentials"

/** How the sandbox shapes SecPaid webhook bodies; see README "SecPaid webhook formats". */
export type SecPaidWebhookFormat = "form" | "json-flat" | "json-nested"

export type SecPaidLinkStatus = "Unused" | "Used" | "Cancelled" | "Deleted" | "Refunded"

export type SecPaidLink = {
  id: number
  environment: SecPaidEnvironment
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

/** Everything SecPaid remembers: links, pay-in rows, configuration and rate-limit windows. */
export class SecPaidState {
  links: SecPaidLink[] = []
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
    this.config = { ...defaultSecPaidConfig(), ...this.baseConfig }
    this.nextLinkId = 42001
    this.nextTransactionSeq = 1
    this.requestStamps.clear()
  }

  findLink(environment: SecPaidEnvironment, id: string | number | undefined): SecPaidLink | undefined {
    if (id === undefined || !/^\d+$/.test(String(id).trim())) return undefined
    const numeric = Number(String(id).trim())
    return this.links.find((l) => l.id === numeric && l.environment === environment && l.status !== "Deleted")
  }

  /** Any environment: for the hosted page and the control API. */
  findLinkAnyEnvironment(id: string | number | undefined): SecPaidLink | undefined {
    if (id === undefined || !/^\d+$/.test(String(id).trim())) return undefined
    const numeric = Number(String(id).trim())
    return this.links.find((l) => l.id === numeric)
  }

  toJSON() {
    return {
      links: this.links,
      transactions: this.transactions,
      config: this.config,
      nextLinkId: this.nextLinkId,
      nextTransactionSeq: this.nextTransactionSeq,
    }
  }

  load(saved: Partial<ReturnType<SecPaidState["toJSON"]>>): void {
    this.links = saved.links ?? []
    this.transactions = saved.transactions ?? []
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
