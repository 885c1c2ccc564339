import { createCipheriv, createDecipheriv } from "node:crypto"
import { SANDBOX_SECPAID_USER_ID } from "../credentials"
import type { OutgoingWebhook } from "../webhook-delivery"
import type { SecPaidLink, SecPaidWebhookFormat } from "./state"

/**
 * SecPaid "Payment Endpoint" webhooks. SecPaid signs nothing and never retries, so
 * these bodies are only ever a hint the shop must confirm with getPayInTransactions.
 */
export type SecPaidWebhookEvent = {
  payId: string
  amount: string
  note: string
  status: "success" | "cancel"
}

export type SecPaidWebhookOptions = {
  format: SecPaidWebhookFormat
  /** When set, the body is `{"data":"<base64 AES-256-CBC>"}` of the plaintext shape. */
  encryptionKey?: string
  encryptedPlaintext: "nested" | "flat"
}

/** Flat bracket keys as the docs print them; on cancel the status key is `data[Status]` (capital S). */
function flatFields(e: SecPaidWebhookEvent): Array<[string, string, "number" | "string"]> {
  return [
    ["ResponseCode", "1", "number"],
    ["data[pay_id]", e.payId, "number"],
    ["data[amount]", e.amount, "number"],
    ["data[user_id]", SANDBOX_SECPAID_USER_ID, "string"],
    e.status === "success" ? ["data[status]", "success", "string"] : ["data[Status]", "cancel", "string"],
  ]
}

/**
 * JSON text with numbers written as the decimal literal SecPaid would print
 * (`"data[amount]":30.50`) — built by hand so the amount never passes through a float.
 */
function jsonWithRawNumbers(fields: Array<[string, string, "number" | "string"]>): string {
  return `{${fields.map(([k, v, kind]) => `${JSON.stringify(k)}:${kind === "number" ? v : JSON.stringify(v)}`).join(",")}}`
}

function flatJson(e: SecPaidWebhookEvent): string {
  return jsonWithRawNumbers(flatFields(e))
}

function nestedJson(e: SecPaidWebhookEvent): string {
  const status = e.status === "success" ? "Success" : "Cancelled"
  return (
    `{"ResponseCode":1,"data":{"pay_id":${e.payId},"note":${JSON.stringify(e.note)},"amount":${e.amount},` +
    `"user_id":${JSON.stringify(SANDBOX_SECPAID_USER_ID)},"status":${JSON.stringify(status)}}}`
  )
}

function formBody(e: SecPaidWebhookEvent): string {
  return new URLSearchParams(flatFields(e).map(([k, v]) => [k, v])).toString()
}

/** AES-256-CBC with key = the 32-character key as UTF-8 and IV = its first 16 characters, base64 output. */
export function encryptSecPaidPayload(plaintext: string, encryptionKey: string): string {
  const key = Buffer.from(encryptionKey, "utf8")
  const iv = Buffer.from(encryptionKey.slice(0, 16), "utf8")
  const cipher = createCipheriv("aes-256-cbc", key, iv)
  return Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]).toString("base64")
}

/** The inverse, for tests and for anyone checking what the sandbox sent. */
export function decryptSecPaidPayload(base64: string, encryptionKey: string): string {
  const key = Buffer.from(encryptionKey, "utf8")
  const iv = Buffer.from(encryptionKey.slice(0, 16), "utf8")
  const decipher = createDecipheriv("aes-256-cbc", key, iv)
  return Buffer.concat([decipher.update(Buffer.from(base64, "base64")), decipher.final()]).toString("utf8")
}

export function buildSecPaidWebhookBody(
  e: SecPaidWebhookEvent,
  o: SecPaidWebhookOptions
): { body: string; contentType: string } {
  if (o.encryptionKey) {
    const plaintext = o.encryptedPlaintext === "flat" ? flatJson(e) : nestedJson(e)
    return {
      body: JSON.stringify({ data: encryptSecPaidPayload(plaintext, o.encryptionKey) }),
      contentType: "application/json",
    }
  }
  switch (o.format) {
    case "json-flat":
      return { body: flatJson(e), contentType: "application/json" }
    case "json-nested":
      return { body: nestedJson(e), contentType: "application/json" }
    default:
      return { body: formBody(e), contentType: "application/x-www-form-urlencoded" }
  }
}

/** One outgoing webhook per payment endpoint of the link. */
export function secPaidWebhooksForLink(
  link: Pick<SecPaidLink, "id" | "amount" | "recipient_note" | "payment_endpoints" | "is_encryption" | "encryption_key">,
  status: "success" | "cancel",
  options: { format: SecPaidWebhookFormat; encryptedPlaintext: "nested" | "flat"; to?: string[]; note?: string }
): OutgoingWebhook[] {
  const { body, contentType } = buildSecPaidWebhookBody(
    { payId: String(link.id), amount: link.amount, note: link.recipient_note, status },
    {
      format: options.format,
      encryptedPlaintext: options.encryptedPlaintext,
      encryptionKey: link.is_encryption ? link.encryption_key : undefined,
    }
  )
  return (options.to ?? link.payment_endpoints).map((url) => ({
    gateway: "secpaid" as const,
    url,
    eventType: status,
    body,
    headers: () => ({ "content-type": contentType, "user-agent": "SecPaid-Sandbox/1.0" }),
    retryOn5xx: false,
    note: options.note,
  }))
}
