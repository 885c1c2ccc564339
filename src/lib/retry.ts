/**
 * Retry with exponential backoff and full jitter. The caller decides, per error,
 * whether a retry is safe (e.g. only idempotent calls on network errors / 5xx)
 * and may impose a minimum wait (a gateway's Retry-After).
 */
export type RetryDecision = { retry: false } | { retry: true; minDelayMs?: number }

export type RetryOptions = {
  /** Total attempts including the first one. */
  attempts: number
  baseDelayMs: number
  maxDelayMs: number
  decide: (error: unknown, attempt: number) => RetryDecision
  /** Injected for tests; defaults to setTimeout. */
  sleep?: (ms: number) => Promise<void>
  random?: () => number
  onRetry?: (info: { error: unknown; attempt: number; delayMs: number }) => void
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))

export function backoffDelay(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  const ceiling = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1))
  return Math.floor(random() * ceiling)
}

export async function withRetry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const wait = options.sleep ?? sleep
  const random = options.random ?? Math.random
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt)
    } catch (error) {
      if (attempt >= options.attempts) throw error
      const decision = options.decide(error, attempt)
      if (!decision.retry) throw error
      const delayMs = Math.max(
        decision.minDelayMs ?? 0,
        backoffDelay(attempt, options.baseDelayMs, options.maxDelayMs, random)
      )
      options.onRetry?.({ error, attempt, delayMs })
      await wait(delayMs)
    }
  }
}

/** Parses an HTTP Retry-After header (seconds or an HTTP date) into milliseconds. */
export function parseRetryAfter(header: unknown, now: number = Date.now()): number | undefined {
  if (typeof header !== "string" || header.trim() === "") return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim()) * 1000
  const at = Date.parse(header)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}
