/**
 * Redaction for anything that may reach a log line, an error message, the admin's
 * delivery log or an API response. Two nets: keys that are named like secrets, and
 * the literal values of the secrets this process knows about (API keys, webhook
 * secrets, encryption keys), wherever they appear in a string.
 */
const SECRET_KEY_RE = /(api[-_]?key|secret|token|password|passwd|authorization|encryption[-_]?key|cookie|signature)/i

export function maskSecret(secret: string | undefined | null): string {
  if (!secret) return ""
  return `••••${secret.slice(-4)}`
}

export function isSecretKeyName(key: string): boolean {
  return SECRET_KEY_RE.test(key)
}

/** Replaces every occurrence of a known secret inside a string. */
export function redactString(text: string, secrets: readonly (string | undefined | null)[]): string {
  let out = text
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[redacted]")
  }
  return out
}

/** Deep copy of `value` with secret-named keys masked and known secret values removed. */
export function redact<T>(value: T, secrets: readonly (string | undefined | null)[] = [], depth = 0): T {
  if (depth > 8) return "[too deep]" as unknown as T
  if (typeof value === "string") return redactString(value, secrets) as unknown as T
  if (Array.isArray(value)) return value.map((v) => redact(v, secrets, depth + 1)) as unknown as T
  if (value && typeof value === "object" && !(value instanceof Date) && !Buffer.isBuffer(value)) {
    const out: Record<string, unknown> = {}
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSecretKeyName(k) && v !== undefined && v !== null && v !== "" ? "[redacted]" : redact(v, secrets, depth + 1)
    }
    return out as T
  }
  return value
}
