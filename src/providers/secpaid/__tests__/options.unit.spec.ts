import { SecPaidProviderService } from "../service"
import { defaultSecPaidPaymentEndpoint, isPrivateHost, parseSecPaidOptions, secPaidBaseUrl } from "../options"

const valid = { apiKey: "sp_dev_key_123456", backendUrl: "https://shop.example" }

describe("SecPaid options", () => {
  it("fills defaults", () => {
    const o = parseSecPaidOptions(valid)
    expect(o).toMatchObject({ environment: "development", cancellable: true, bankTransfer: false, requestTimeoutMs: 30000, splitType: "normal" })
    expect(secPaidBaseUrl(o)).toBe("https://app.dev.secpaid.com/api/v2/")
    expect(secPaidBaseUrl({ environment: "production" })).toBe("https://app.secpaid.com/api/v2/")
    expect(secPaidBaseUrl({ environment: "development", baseUrl: "http://localhost:1234/secpaid/api/v2" })).toBe("http://localhost:1234/secpaid/api/v2/")
    expect(defaultSecPaidPaymentEndpoint("https://shop.example/")).toBe("https://shop.example/hooks/secpaid")
    expect(defaultSecPaidPaymentEndpoint("https://shop.example/", "eu")).toBe("https://shop.example/hooks/secpaid/eu")
    expect(defaultSecPaidPaymentEndpoint("https://shop.example", "")).toBe("https://shop.example/hooks/secpaid")
    expect(defaultSecPaidPaymentEndpoint("https://shop.example", "a/b")).toBe("https://shop.example/hooks/secpaid")
  })

  it("reads env-style strings", () => {
    const o = parseSecPaidOptions({ ...valid, cancellable: "false", bankTransfer: "yes", requestTimeoutMs: "5000", paymentEndpoint: "0,https://shop.example/hooks/x", allowedStorefrontOrigins: "https://a.example/x,http://localhost:8000" })
    expect(o).toMatchObject({ cancellable: false, bankTransfer: true, requestTimeoutMs: 5000, paymentEndpoint: ["0", "https://shop.example/hooks/x"], allowedStorefrontOrigins: ["https://a.example", "http://localhost:8000"] })
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["missing apiKey", { backendUrl: "https://shop.example" }, /SecPaid option `apiKey` is required/],
    ["bad environment", { ...valid, environment: "staging" }, /SecPaid option `environment`/],
    ["short encryptionKey", { ...valid, encryptionKey: "short" }, /`encryptionKey` must be exactly 32 characters/],
    ["no backendUrl", { apiKey: "k_123456" }, /`backendUrl` is required unless both paymentEndpoint and callbackUrl are set/],
    ["bad paymentEndpoint", { ...valid, paymentEndpoint: "ftp://x" }, /`paymentEndpoint\.0` each entry must be a full http\(s\) URL or a profile index/],
    ["bad timeout", { ...valid, requestTimeoutMs: -1 }, /`requestTimeoutMs`/],
    ["percent share over 100", { ...valid, splitRecipients: [{ token: "t", share: "150" }] }, /`splitRecipients` shares are percentages/],
    ["bad storefront origin", { ...valid, allowedStorefrontOrigins: ["javascript:alert(1)"] }, /`allowedStorefrontOrigins\.0`/],
    ["production over http", { ...valid, environment: "production", backendUrl: "http://shop.example" }, /`backendUrl` must use https:\/\/ in production/],
    ["production on loopback", { ...valid, environment: "production", backendUrl: "https://localhost:9000" }, /`backendUrl` must be a public host/],
    ["production private endpoint", { ...valid, environment: "production", paymentEndpoint: "https://192.168.1.5/hook" }, /`paymentEndpoint` must be a public host/],
  ])("refuses %s with a sentence naming the option", (_name, options, message) => {
    expect(() => SecPaidProviderService.validateOptions(options)).toThrow(message)
  })

  it("never echoes the API key or encryption key in validation errors", () => {
    const options = { apiKey: "sp_live_SECRETSECRET", encryptionKey: "0123456789", environment: "production", backendUrl: "http://x" }
    const error = (() => {
      try {
        parseSecPaidOptions(options)
      } catch (e) {
        return e as Error
      }
    })()
    expect(error?.message).not.toContain("SECRETSECRET")
    expect(error?.message).not.toContain("0123456789")
  })

  it.each([
    ["localhost", true], ["127.0.0.1", true], ["10.1.2.3", true], ["172.20.0.1", true], ["192.168.0.1", true],
    ["169.254.1.1", true], ["[::1]", true], ["fd00::1", true], ["shop.local", true], ["shop.example", false], ["8.8.8.8", false], ["172.32.0.1", false],
  ])("isPrivateHost(%s) = %s", (host, expected) => {
    expect(isPrivateHost(host)).toBe(expected)
  })
})

describe("SecPaid requestBudget option", () => {
  it("defaults to 10 requests a minute kept for checkout, 30 kept away from anonymous and background work, short waits", () => {
    expect(parseSecPaidOptions(valid).requestBudget).toEqual({
      reserves: { checkout: 0, verification: 10, anonymous: 30, background: 30 },
      maxWaitMs: { checkout: 20_000, verification: 15_000, anonymous: 5_000, background: 10_000 },
      maxWaiters: 50,
    })
  })

  it("takes partial settings and env-style strings", () => {
    const o = parseSecPaidOptions({ ...valid, requestBudget: { reserves: { anonymous: "40" }, maxWaitMs: { checkout: "25000" } } })
    expect(o.requestBudget.reserves).toEqual({ checkout: 0, verification: 10, anonymous: 40, background: 30 })
    expect(o.requestBudget.maxWaitMs.checkout).toBe(25_000)
  })

  it.each<[string, Record<string, unknown>, RegExp]>([
    ["a reserve of the whole budget", { reserves: { anonymous: 60 } }, /`requestBudget\.reserves\.anonymous`/],
    ["verification kept back more than anonymous", { reserves: { verification: 35 } }, /`requestBudget` reserves\.verification must not be larger than reserves\.anonymous/],
    ["a wait over two minutes", { maxWaitMs: { checkout: 600_000 } }, /`requestBudget\.maxWaitMs\.checkout`/],
    ["no waiters", { maxWaiters: 0 }, /`requestBudget\.maxWaiters`/],
  ])("refuses %s", (_name, requestBudget, message) => {
    expect(() => parseSecPaidOptions({ ...valid, requestBudget })).toThrow(message)
  })
})
