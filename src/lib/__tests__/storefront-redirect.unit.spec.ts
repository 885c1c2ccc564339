import {
  allowedStorefrontOrigins,
  buildStorefrontRedirectUrl,
  isAllowedStorefrontUrl,
  renderPaymentStatusPage,
  storefrontOriginSchema,
} from "../storefront-redirect"

const config = {
  storefrontReturnUrl: "https://shop.example/checkout/return?lang=de",
  allowedStorefrontOrigins: ["https://m.shop.example/", "http://localhost:8000"],
}

describe("storefront redirect allow-list", () => {
  it("allows the return URL's own origin and the configured origins, normalised", () => {
    expect([...allowedStorefrontOrigins(config)].sort()).toEqual([
      "http://localhost:8000",
      "https://m.shop.example",
      "https://shop.example",
    ])
  })

  it.each([
    ["https://shop.example/other", true],
    ["https://m.shop.example/x?y=1", true],
    ["http://localhost:8000/cart", true],
    ["http://shop.example/", false], // scheme differs
    ["https://shop.example.evil.com/", false],
    ["https://evil.com/?https://shop.example", false],
    ["//evil.com/", false],
    ["javascript:alert(1)", false],
    ["https://user:pw@shop.example/", false],
    ["http://localhost:8001/", false],
  ])("%s allowed: %s", (candidate, allowed) => {
    expect(isAllowedStorefrontUrl(candidate, config)).toBe(allowed)
  })

  it("uses an allowed requested URL and appends the outcome", () => {
    const url = buildStorefrontRedirectUrl(config, { status: "paid", cart_id: "cart_1", order_id: "order_1" }, "https://m.shop.example/done")
    expect(url).toBe("https://m.shop.example/done?status=paid&cart_id=cart_1&order_id=order_1")
  })

  it("falls back to the configured return URL for a foreign requested URL, keeping its query", () => {
    const url = buildStorefrontRedirectUrl(config, { status: "canceled", cart_id: "cart_1", order_id: undefined }, "https://evil.com/")
    expect(url).toBe("https://shop.example/checkout/return?lang=de&status=canceled&cart_id=cart_1")
  })

  it("returns undefined when nothing is configured, whatever is requested", () => {
    expect(buildStorefrontRedirectUrl({}, { status: "paid" }, "https://evil.com/")).toBeUndefined()
    expect(buildStorefrontRedirectUrl({ allowedStorefrontOrigins: ["https://shop.example"] }, { status: "paid" })).toBeUndefined()
  })

  it("validates origin options with a readable message", () => {
    expect(storefrontOriginSchema.parse("https://shop.example/path")).toBe("https://shop.example")
    expect(storefrontOriginSchema.safeParse("ftp://x").success).toBe(false)
  })

  it("escapes values in the status page", () => {
    const html = renderPaymentStatusPage({ status: "paid", order_id: "<script>" })
    expect(html).toContain("&lt;script&gt;")
    expect(html).not.toContain("<script>")
  })
})
