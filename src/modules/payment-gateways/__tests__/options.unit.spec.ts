import { backoffDelayMs, parsePaymentGatewaysOptions } from "../options"

describe("payment-gateways module options", () => {
  it("defaults to 8 attempts, 5 s first backoff, 2 min processing lock, 30 days of delivery log, 7 days of no-op events", () => {
    expect(parsePaymentGatewaysOptions(undefined, {})).toEqual({
      maxAttempts: 8,
      baseBackoffMs: 5000,
      maxBackoffMs: 3_600_000,
      processingLockMs: 120_000,
      deliveryLogRetentionDays: 30,
      ignoredEventRetentionDays: 7,
    })
  })

  it("takes environment values where the module options say nothing; options win", () => {
    const env = { PAYMENT_GATEWAYS_MAX_ATTEMPTS: "3", PAYMENT_GATEWAYS_PROCESSING_LOCK_MS: "5000" }
    expect(parsePaymentGatewaysOptions({}, env)).toMatchObject({ maxAttempts: 3, processingLockMs: 5000 })
    expect(parsePaymentGatewaysOptions({ maxAttempts: 5 }, env)).toMatchObject({ maxAttempts: 5 })
  })

  it("keeps the delivery log for the given days; 0 keeps it forever; the environment fills in", () => {
    expect(parsePaymentGatewaysOptions({ deliveryLogRetentionDays: 0 }, {}).deliveryLogRetentionDays).toBe(0)
    expect(parsePaymentGatewaysOptions({}, { PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS: "7" }).deliveryLogRetentionDays).toBe(7)
    expect(parsePaymentGatewaysOptions({ deliveryLogRetentionDays: 90 }, { PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS: "7" }).deliveryLogRetentionDays).toBe(90)
    expect(() => parsePaymentGatewaysOptions({ deliveryLogRetentionDays: -1 }, {})).toThrow(/`deliveryLogRetentionDays` is invalid/)
    expect(() => parsePaymentGatewaysOptions({ deliveryLogRetentionDays: 1.5 }, {})).toThrow(/`deliveryLogRetentionDays` is invalid/)
    expect(() => parsePaymentGatewaysOptions({}, { PAYMENT_GATEWAYS_DELIVERY_LOG_RETENTION_DAYS: "-3" })).toThrow(/`deliveryLogRetentionDays` is invalid/)
  })

  it("keeps no-op inbox events for the given days; 0 keeps them forever; the environment fills in", () => {
    expect(parsePaymentGatewaysOptions({ ignoredEventRetentionDays: 0 }, {}).ignoredEventRetentionDays).toBe(0)
    expect(parsePaymentGatewaysOptions({}, { PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS: "2" }).ignoredEventRetentionDays).toBe(2)
    expect(parsePaymentGatewaysOptions({ ignoredEventRetentionDays: 30 }, { PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS: "2" }).ignoredEventRetentionDays).toBe(30)
    expect(() => parsePaymentGatewaysOptions({}, { PAYMENT_GATEWAYS_IGNORED_EVENT_RETENTION_DAYS: "a week" })).toThrow(/`ignoredEventRetentionDays` is invalid/)
  })

  it("refuses nonsense with a sentence naming the option", () => {
    expect(() => parsePaymentGatewaysOptions({ maxAttempts: 0 }, {})).toThrow(/`maxAttempts` is invalid/)
    expect(() => parsePaymentGatewaysOptions({}, { PAYMENT_GATEWAYS_MAX_ATTEMPTS: "many" })).toThrow(/`maxAttempts` is invalid/)
  })

  it("doubles the backoff per attempt up to the cap", () => {
    const o = { baseBackoffMs: 5000, maxBackoffMs: 60_000 }
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffDelayMs(a, o))).toEqual([5000, 10000, 20000, 40000, 60000, 60000])
  })
})
