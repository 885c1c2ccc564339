import { createCipheriv, createDecipheriv, createHash, randomBytes } from "node:crypto"

/**
 * Encryption at rest for the secrets a merchant saves in the admin (API keys,
 * webhook secrets, the SecPaid encryption key): AES-256-GCM with a random 96-bit
 * IV per value and the value's place (`secpaid.apiKey`) as additional data, so a
 * ciphertext copied into another field or gateway does not decrypt.
 *
 * Stored form: `pgsb1.<key id>.<iv>.<tag>.<ciphertext>` (base64url parts). The key id
 * is the first 8 hex digits of SHA-256(key): when the key changes, reading an old
 * value fails with a sentence saying so instead of a bare "auth tag mismatch".
 *
 * The key comes from PAYMENT_GATEWAYS_ENCRYPTION_KEY (32 bytes as base64 or hex).
 * Without it:
 *  - NODE_ENV=production: no key at all. Saving a secret is refused with the reason;
 *    values set in medusa-config keep working.
 *  - any other NODE_ENV: a development key derived from a fixed label is used and a
 *    warning says so once. It keeps `npm run dev` and the tests zero-setup; it is NOT
 *    protection (anyone with this source can derive it), which the warning states.
 */
export const ENCRYPTION_KEY_ENV = "PAYMENT_GATEWAYS_ENCRYPTION_KEY"

const FORMAT = "pgsb1"
const DEV_KEY_LABEL = "medusa-payment-secpaid-payin development key — not a secret"

export type SecretBoxKey = {
  key: Buffer
  /** First 8 hex digits of SHA-256(key), stored with every ciphertext. */
  id: string
  source: "env" | "development"
}

export type SecretBoxKeyResult = { ok: true; key: SecretBoxKey } | { ok: false; reason: string }

export class SecretBoxError extends Error {
  constructor(message: string) {
    super(message)
    this.name = "SecretBoxError"
  }
}

function keyId(key: Buffer): string {
  return createHash("sha256").update(key).digest("hex").slice(0, 8)
}

/** Decodes a 32-byte key written as 64 hex digits or as base64 / base64url. */
export function parseEncryptionKey(text: string): Buffer | undefined {
  const value = text.trim()
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex")
  if (/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) {
    const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64")
    if (bytes.length === 32) return bytes
  }
  return undefined
}

/**
 * The key to encrypt and decrypt with, from `env` (process.env by default). Never
 * throws: callers decide what a missing key means (the settings API refuses to
 * store secrets; the reader ignores saved secrets and says why).
 */
export function resolveSecretBoxKey(env: NodeJS.ProcessEnv = process.env): SecretBoxKeyResult {
  const configured = env[ENCRYPTION_KEY_ENV]
  if (configured && configured.trim() !== "") {
    const key = parseEncryptionKey(configured)
    if (!key) {
      return {
        ok: false,
        reason: `${ENCRYPTION_KEY_ENV} is not a 32-byte key; set it to 64 hex digits or 44 base64 characters, e.g. the output of \`openssl rand -base64 32\`.`,
      }
    }
    return { ok: true, key: { key, id: keyId(key), source: "env" } }
  }
  if (env.NODE_ENV === "production") {
    return {
      ok: false,
      reason: `${ENCRYPTION_KEY_ENV} is not set, and in production secrets are only stored encrypted with a key of your own; set it to 32 random bytes (\`openssl rand -base64 32\`) and restart, or keep the secrets in medusa-config.ts.`,
    }
  }
  const key = createHash("sha256").update(DEV_KEY_LABEL).digest()
  return { ok: true, key: { key, id: keyId(key), source: "development" } }
}

let warnedAboutDevKey = false

/** One warning per process when the development key is in use (never prints a key). */
export function warnOnceIfDevelopmentKey(key: SecretBoxKey, log: (message: string) => void): void {
  if (key.source !== "development" || warnedAboutDevKey) return
  warnedAboutDevKey = true
  log(
    `Payment gateways: ${ENCRYPTION_KEY_ENV} is not set, so secrets saved in the admin are encrypted with a built-in development key that protects nothing; set ${ENCRYPTION_KEY_ENV} (32 bytes, base64 or hex) before going live.`
  )
}

const b64 = (buf: Buffer) => buf.toString("base64url")

/** Encrypts `plain` for the place `context` (e.g. "payin.webhookSecret"). */
export function sealSecret(plain: string, context: string, key: SecretBoxKey): string {
  const iv = randomBytes(12)
  const cipher = createCipheriv("aes-256-gcm", key.key, iv)
  cipher.setAAD(Buffer.from(context, "utf8"))
  const ciphertext = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()])
  return [FORMAT, key.id, b64(iv), b64(cipher.getAuthTag()), b64(ciphertext)].join(".")
}

export function isSealedSecret(value: unknown): value is string {
  return typeof value === "string" && value.startsWith(`${FORMAT}.`)
}

/** Decrypts a value written by `sealSecret` for the same `context`; throws a SecretBoxError that names no secret. */
export function openSecret(sealed: string, context: string, key: SecretBoxKey): string {
  const parts = sealed.split(".")
  if (parts.length !== 5 || parts[0] !== FORMAT) {
    throw new SecretBoxError(`The saved ${context} is not in the encrypted format; save it again in Settings → Payment gateways.`)
  }
  const [, storedKeyId, iv, tag, ciphertext] = parts
  if (storedKeyId !== key.id) {
    throw new SecretBoxError(
      `The saved ${context} was encrypted with another ${ENCRYPTION_KEY_ENV} (key id ${storedKeyId}, current ${key.id}); restore that key or save the secret again.`
    )
  }
  try {
    const decipher = createDecipheriv("aes-256-gcm", key.key, Buffer.from(iv, "base64url"))
    decipher.setAAD(Buffer.from(context, "utf8"))
    decipher.setAuthTag(Buffer.from(tag, "base64url"))
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, "base64url")), decipher.final()]).toString("utf8")
  } catch {
    throw new SecretBoxError(`The saved ${context} could not be decrypted (it was altered or belongs to another field); save it again.`)
  }
}
