import { parsePayInOptions } from "../options"
import { PayInProviderService } from "../service"

const base = {
  apiKey: "pk_test_123",
  webhookSecret: "whsec_abcdefgh",
  backendUrl: "https://shop.example.com/",
}

describe("PayIn options", () => {
  it("applies the testnet defaults", () => {
    const o = parsePayInOptions(base)
    expect(o).toMatchObject({
      environment: "testnet",
      baseUrl: "https://testnet.payin.com/api/v1",
      defaultToken: "USDC",
      defaultChainId: "ethereum-sepolia",
      acceptedCurrencies: ["usd"],
      placeOrderBeforeConfirmation: false,
      recordManualRefunds: false,
      requestTimeoutMs: 30000,
      backendUrl: "https://shop.example.com",
    })
    expect(o.offeredPairs).toEqual([
      { token: "USDC", chainId: "ethereum-sepolia" },
      { token: "USDC", chainId: "polygon-amoy" },
      { token: "USDT", chainId: "tron-nile" },
      { token: "USDC", chainId: "solana-devnet" },
    ])
  })

  it("uses the mainnet host and the baseUrl override", () => {
    expect(parsePayInOptions({ ...base, environment: "mainnet" }).baseUrl).toBe("https://app.payin.com/api/v1")
    expect(parsePayInOptions({ ...base, baseUrl: "http://localhost:4010/payin/api/v1/" }).baseUrl).toBe("http://localhost:4010/payin/api/v1")
  })

  it.each([
    [{ apiKey: undefined }, "Option `apiKey` is missing"],
    [{ apiKey: "sk_live_1" }, "Option `apiKey` must be a PayIn API key starting with \"pk_\""],
    [{ webhookSecret: undefined }, "Option `webhookSecret` is missing"],
    [{ webhookSecret: "" }, "Option `webhookSecret` is too short"],
    [{ environment: "prod" }, "Option `environment` must be \"testnet\" or \"mainnet\""],
    [{ backendUrl: "not a url" }, "Option `backendUrl` must be an absolute http(s) URL"],
    [{ defaultToken: "DAI" }, "Option `defaultToken` must be \"USDT\" or \"USDC\""],
    [{ defaultChainId: "ethereum-mainnet" }, "Option `defaultChainId` is \"ethereum-mainnet\", which is not a PayIn testnet chain"],
    [{ defaultToken: "USDT" }, "PayIn does not settle USDT on ethereum-sepolia"],
    [{ allowedChains: ["bitcoin"] }, "Option `allowedChains` contains \"bitcoin\""],
    [{ allowedTokens: ["USDT"] }, "do not include the default USDC on ethereum-sepolia"],
    [{ paymentWindowMinutes: 0 }, "Option `paymentWindowMinutes` must be at least 1"],
    [{ graceMinutes: 1.5 }, "Option `graceMinutes` must be a whole number of minutes"],
    [{ acceptedCurrencies: ["dollars"] }, "Option `acceptedCurrencies` must list ISO currency codes"],
    [{ requestTimeoutMs: 10 }, "Option `requestTimeoutMs` must be at least 1000"],
  ])("%p is refused with a message naming the option", (override, message) => {
    expect(() => parsePayInOptions({ ...base, ...override })).toThrow(message)
  })

  it("validates a mainnet token/chain pair", () => {
    const o = parsePayInOptions({ ...base, environment: "mainnet", defaultToken: "USDT", defaultChainId: "tron-mainnet", allowedChains: ["tron-mainnet", "polygon-mainnet"] })
    expect(o.offeredPairs).toEqual([
      { token: "USDT", chainId: "tron-mainnet" },
      { token: "USDT", chainId: "polygon-mainnet" },
      { token: "USDC", chainId: "polygon-mainnet" },
    ])
  })

  it("fails boot through validateOptions when the webhook secret is missing", () => {
    expect(() => PayInProviderService.validateOptions({ apiKey: "pk_x", backendUrl: "https://a.b" })).toThrow("webhookSecret")
    expect(() => PayInProviderService.validateOptions(base)).not.toThrow()
  })

  it("never echoes the API key in its messages", () => {
    try {
      parsePayInOptions({ ...base, apiKey: "sk_secret_value_123" })
      throw new Error("expected a throw")
    } catch (e) {
      expect((e as Error).message).not.toContain("sk_secret_value_123")
    }
  })
})

describe("PayIn storefront options", () => {
  it("normalises allowed origins and names the option when a URL is wrong", () => {
    const o = parsePayInOptions({ ...base, storefrontReturnUrl: "https://shop.example.com/checkout/done", allowedStorefrontOrigins: ["https://a.example.com/path"] })
    expect(o.allowedStorefrontOrigins).toEqual(["https://a.example.com"])
    expect(() => parsePayInOptions({ ...base, storefrontReturnUrl: "javascript:alert(1)" })).toThrow(
      "Option `storefrontReturnUrl` must be an absolute http:// or https:// URL."
    )
    expect(() => parsePayInOptions({ ...base, allowedStorefrontOrigins: ["ftp://x"] })).toThrow("Option `allowedStorefrontOrigins`")
  })
})
