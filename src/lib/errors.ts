import { MedusaError } from "@medusajs/framework/utils"

/**
 * An error from a payment gateway, written for the person who reads it: what went
 * wrong and what to do, in one sentence, followed by the gateway's own message,
 * HTTP status and request id when there is one. Never carries a secret: callers
 * pass gateway text through `redactString` first.
 */
export type GatewayName = "SecPaid" | "PayIn"

export type GatewayErrorDetails = {
  gateway: GatewayName
  /** What went wrong and what to do, one sentence. */
  summary: string
  /** The gateway's own message (SecPaid `ResponseMsg`, PayIn `message`). */
  gatewayMessage?: string
  /** The gateway's machine-readable code (PayIn `code`). */
  code?: string
  httpStatus?: number
  /** SecPaid `x-kong-request-id`, PayIn delivery / request id. */
  requestId?: string
  /** True when trying again later may succeed (rate limit, 5xx, network, timeout). */
  retryable?: boolean
  /** Medusa error type used when the error reaches Medusa's HTTP layer. */
  type?: (typeof MedusaError.Types)[keyof typeof MedusaError.Types]
}

export class GatewayError extends MedusaError {
  readonly gateway: GatewayName
  readonly summary: string
  readonly gatewayMessage?: string
  readonly gatewayCode?: string
  readonly httpStatus?: number
  readonly requestId?: string
  readonly retryable: boolean

  constructor(details: GatewayErrorDetails) {
    super(details.type ?? MedusaError.Types.UNEXPECTED_STATE, formatGatewayError(details))
    this.name = "GatewayError"
    this.gateway = details.gateway
    this.summary = details.summary
    this.gatewayMessage = details.gatewayMessage
    this.gatewayCode = details.code
    this.httpStatus = details.httpStatus
    this.requestId = details.requestId
    this.retryable = details.retryable ?? false
  }
}

export function formatGatewayError(d: GatewayErrorDetails): string {
  const facts: string[] = []
  if (d.gatewayMessage) facts.push(`${d.gateway} said: "${d.gatewayMessage}"`)
  if (d.code) facts.push(`code ${d.code}`)
  if (d.httpStatus) facts.push(`HTTP ${d.httpStatus}`)
  if (d.requestId) facts.push(`request id ${d.requestId}`)
  const summary = d.summary.trim().replace(/\.$/, "")
  return facts.length ? `${summary} (${facts.join(", ")}).` : `${summary}.`
}
