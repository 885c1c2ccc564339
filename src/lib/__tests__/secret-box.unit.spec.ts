import { randomBytes } from "node:crypto"
import {
  ENCRYPTION_KEY_ENV,
  isSealedSecret,
  openSecret,
  parseEncryptionKey,
  resolveSecretBoxKey,
  sealSecret,
  SecretBoxError,
  type SecretBoxKey,
} from "../secret-box"

function keyFrom(env: NodeJS.ProcessEnv): SecretBoxKey {
  const result = resolveSecretBoxKey(env)
  if (!result.ok) throw new Error(result.reason)
  return result.key
}

describe("secret box (AES-256-GCM at rest)", () => {
  const raw = randomBytes(32)
  const key = keyFrom({ [ENCRYPTION_KEY_ENV]: raw.toString("base64"), NODE_ENV: "production" })

  it("seals to a versioned ciphertext that contains nothing of the plain value and opens back", () => {
    const sealed = sealSecret("pk_live_abcdef123456", "payin.apiKey", key)
    expect(isSealedSecret(sealed)).toBe(true)
    expect(sealed).not.toContain("pk_live")
    expect(sealed).not.toContain("123456")
    expect(sealed.split(".")).toHaveLength(5)
    expect(openSecret(sealed, "payin.apiKey", key)).toBe("pk_live_abcdef123456")
  })

  it("uses a fresh IV each time", () => {
    expect(sealSecret("same", "secpaid.apiKey", key)).not.toBe(sealSecret("same", "secpaid.apiKey", key))
  })

  it("refuses a ciphertext moved to another field", () => {
    const sealed = sealSecret("whsec_x", "payin.webhookSecret", key)
    expect(() => openSecret(sealed, "payin.apiKey", key)).toThrow(SecretBoxError)
  })

  it("refuses an altered ciphertext without naming the secret", () => {
    const sealed = sealSecret("sp_dev_secret", "secpaid.apiKey", key)
    const parts = sealed.split(".")
    const ct = Buffer.from(parts[4], "base64url")
    ct[0] ^= 1
    parts[4] = ct.toString("base64url")
    expect(() => openSecret(parts.join("."), "secpaid.apiKey", key)).toThrow(/could not be decrypted/)
  })

  it("says which key a value was sealed with when the key changed", () => {
    const other = keyFrom({ [ENCRYPTION_KEY_ENV]: randomBytes(32).toString("hex") })
    const sealed = sealSecret("v", "secpaid.apiKey", key)
    expect(() => openSecret(sealed, "secpaid.apiKey", other)).toThrow(new RegExp(`key id ${key.id}`))
  })

  it("reads 32-byte keys as hex, base64 and base64url, and nothing else", () => {
    expect(parseEncryptionKey(raw.toString("hex"))?.equals(raw)).toBe(true)
    expect(parseEncryptionKey(raw.toString("base64"))?.equals(raw)).toBe(true)
    expect(parseEncryptionKey(raw.toString("base64url"))?.equals(raw)).toBe(true)
    expect(parseEncryptionKey("too-short")).toBeUndefined()
    expect(parseEncryptionKey(randomBytes(16).toString("hex"))).toBeUndefined()
  })

  it("in production without a key refuses and says what to set", () => {
    const result = resolveSecretBoxKey({ NODE_ENV: "production" })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toMatch(new RegExp(`${ENCRYPTION_KEY_ENV} is not set`))
  })

  it("rejects a malformed key in every environment", () => {
    const result = resolveSecretBoxKey({ NODE_ENV: "development", [ENCRYPTION_KEY_ENV]: "hunter2" })
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).not.toContain("hunter2")
  })

  it("outside production without a key uses the development key, the same in every process", () => {
    const a = keyFrom({ NODE_ENV: "development" })
    const b = keyFrom({ NODE_ENV: "test" })
    expect(a.source).toBe("development")
    expect(a.id).toBe(b.id)
    expect(openSecret(sealSecret("x", "c", a), "c", b)).toBe("x")
  })
})
