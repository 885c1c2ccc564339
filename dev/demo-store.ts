import type { MedusaContainer } from "@medusajs/framework/types"
import { ContainerRegistrationKeys, Modules, ProductStatus } from "@medusajs/framework/utils"
import {
  createApiKeysWorkflow,
  createProductsWorkflow,
  createRegionsWorkflow,
  createSalesChannelsWorkflow,
  createShippingOptionsWorkflow,
  createShippingProfilesWorkflow,
  createStockLocationsWorkflow,
  linkSalesChannelsToApiKeyWorkflow,
  linkSalesChannelsToStockLocationWorkflow,
  updateStoresWorkflow,
} from "@medusajs/medusa/core-flows"
import { listGatewayRegistrations } from "../src/modules/payment-gateways/gateway-registry"

/**
 * The demo store used by `npm run dev` and by the integration tests: a region in
 * EUR paid with SecPaid, a region in USD paid with PayIn (both also offer Medusa's
 * built-in system provider, the benchmarks' floor), one product, flat shipping and
 * a publishable API key. Every step looks before it creates, so running it again
 * against the same database changes nothing.
 */
export const DEMO = {
  salesChannel: "Default Sales Channel",
  apiKeyTitle: "Demo storefront",
  productHandle: "demo-t-shirt",
  prices: { eur: "25.50", usd: "27.25" },
  shipping: { eur: "4.50", usd: "5.00" },
  regions: {
    // `gateway`: every registration of it that medusa-config.ts makes (pp_secpaid_secpaid by default; eu and marketplace with several).
    eur: { name: "Europe (SecPaid)", currency_code: "eur", countries: ["de", "fr", "nl", "at", "es", "it"], gateway: "secpaid", providers: ["pp_system_default"] },
    usd: { name: "United States (PayIn)", currency_code: "usd", countries: ["us"], gateway: "payin", providers: ["pp_system_default"] },
  },
} as const

export type DemoStore = {
  publishableKey: string
  salesChannelId: string
  regions: { eur: { id: string }; usd: { id: string } }
  productId: string
  variantId: string
  shippingOptions: { eur: string; usd: string }
  stockLocationId: string
}

export async function seedDemoStore(container: MedusaContainer): Promise<DemoStore> {
  const link = container.resolve(ContainerRegistrationKeys.LINK)
  const storeModule = container.resolve(Modules.STORE)
  const salesChannelModule = container.resolve(Modules.SALES_CHANNEL)
  const regionModule = container.resolve(Modules.REGION)
  const fulfillmentModule = container.resolve(Modules.FULFILLMENT)
  const stockLocationModule = container.resolve(Modules.STOCK_LOCATION)
  const apiKeyModule = container.resolve(Modules.API_KEY)
  const productModule = container.resolve(Modules.PRODUCT)

  // Sales channel
  let [salesChannel] = await salesChannelModule.listSalesChannels({ name: DEMO.salesChannel })
  if (!salesChannel) {
    const { result } = await createSalesChannelsWorkflow(container).run({
      input: { salesChannelsData: [{ name: DEMO.salesChannel }] },
    })
    salesChannel = result[0]
  }

  // Store currencies
  const [store] = await storeModule.listStores()
  await updateStoresWorkflow(container).run({
    input: {
      selector: { id: store.id },
      update: {
        supported_currencies: [
          { currency_code: "eur", is_default: true },
          { currency_code: "usd" },
        ],
        default_sales_channel_id: salesChannel.id,
      },
    },
  })

  // Regions
  const registrations = await listGatewayRegistrations(container)
  const regionIds = {} as Record<"eur" | "usd", string>
  for (const key of ["eur", "usd"] as const) {
    const spec = DEMO.regions[key]
    let [region] = await regionModule.listRegions({ name: spec.name })
    if (!region) {
      const { result } = await createRegionsWorkflow(container).run({
        input: {
          regions: [
            { name: spec.name, currency_code: spec.currency_code, countries: [...spec.countries], payment_providers: [...registrations.filter((r) => r.gateway === spec.gateway).map((r) => r.providerId), ...spec.providers] },
          ],
        },
      })
      region = result[0]
    }
    regionIds[key] = region.id
  }

  // Shipping profile, stock location, fulfillment set, shipping options
  let [profile] = await fulfillmentModule.listShippingProfiles({ type: "default" })
  if (!profile) {
    const { result } = await createShippingProfilesWorkflow(container).run({
      input: { data: [{ name: "Default Shipping Profile", type: "default" }] },
    })
    profile = result[0]
  }

  let [location] = await stockLocationModule.listStockLocations({ name: "Demo warehouse" })
  if (!location) {
    const { result } = await createStockLocationsWorkflow(container).run({
      input: { locations: [{ name: "Demo warehouse", address: { city: "Berlin", country_code: "DE", address_1: "" } }] },
    })
    location = result[0]
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_provider_id: "manual_manual" },
    })
    await linkSalesChannelsToStockLocationWorkflow(container).run({
      input: { id: location.id, add: [salesChannel.id] },
    })
  }

  let [fulfillmentSet] = await fulfillmentModule.listFulfillmentSets({ name: "Demo delivery" }, { relations: ["service_zones"] })
  if (!fulfillmentSet) {
    fulfillmentSet = await fulfillmentModule.createFulfillmentSets({
      name: "Demo delivery",
      type: "shipping",
      service_zones: [
        {
          name: "Demo zones",
          geo_zones: [...DEMO.regions.eur.countries, ...DEMO.regions.usd.countries].map((country_code) => ({
            country_code,
            type: "country" as const,
          })),
        },
      ],
    })
    await link.create({
      [Modules.STOCK_LOCATION]: { stock_location_id: location.id },
      [Modules.FULFILLMENT]: { fulfillment_set_id: fulfillmentSet.id },
    })
    fulfillmentSet = (await fulfillmentModule.listFulfillmentSets({ id: fulfillmentSet.id }, { relations: ["service_zones"] }))[0]
  }
  const serviceZoneId = fulfillmentSet.service_zones[0].id

  const shippingOptions = {} as Record<"eur" | "usd", string>
  for (const key of ["eur", "usd"] as const) {
    const name = `Standard shipping (${key.toUpperCase()})`
    let [option] = await fulfillmentModule.listShippingOptions({ name })
    if (!option) {
      const { result } = await createShippingOptionsWorkflow(container).run({
        input: [
          {
            name,
            price_type: "flat",
            provider_id: "manual_manual",
            service_zone_id: serviceZoneId,
            shipping_profile_id: profile.id,
            type: { label: "Standard", description: "Ships in 2-3 days.", code: `standard-${key}` },
            // The shipping-option input is typed `number` in Medusa 2.21; 4.5 and 5 are exact in binary.
            prices: [
              { currency_code: key, amount: Number(DEMO.shipping[key]) },
              { region_id: regionIds[key], amount: Number(DEMO.shipping[key]) },
            ],
            rules: [
              { attribute: "enabled_in_store", value: "true", operator: "eq" },
              { attribute: "is_return", value: "false", operator: "eq" },
            ],
          },
        ],
      })
      option = result[0] as any
    }
    shippingOptions[key] = option.id
  }

  // Publishable API key
  let [apiKey] = await apiKeyModule.listApiKeys({ title: DEMO.apiKeyTitle, type: "publishable" })
  if (!apiKey) {
    const { result } = await createApiKeysWorkflow(container).run({
      input: { api_keys: [{ title: DEMO.apiKeyTitle, type: "publishable", created_by: "" }] },
    })
    apiKey = result[0]
    await linkSalesChannelsToApiKeyWorkflow(container).run({
      input: { id: apiKey.id, add: [salesChannel.id] },
    })
  }

  // Product
  let [product] = await productModule.listProducts({ handle: DEMO.productHandle }, { relations: ["variants"] })
  if (!product) {
    const { result } = await createProductsWorkflow(container).run({
      input: {
        products: [
          {
            title: "Demo T-Shirt",
            handle: DEMO.productHandle,
            description: "A plain shirt for trying out SecPaid and PayIn checkouts.",
            status: ProductStatus.PUBLISHED,
            shipping_profile_id: profile.id,
            options: [{ title: "Size", values: ["M"] }],
            variants: [
              {
                title: "M",
                sku: "DEMO-TSHIRT-M",
                manage_inventory: false,
                options: { Size: "M" },
                prices: [
                  { currency_code: "eur", amount: DEMO.prices.eur },
                  { currency_code: "usd", amount: DEMO.prices.usd },
                ],
              },
            ],
            sales_channels: [{ id: salesChannel.id }],
          },
        ],
      },
    })
    product = (await productModule.listProducts({ id: result[0].id }, { relations: ["variants"] }))[0]
  }

  return {
    publishableKey: apiKey.token,
    salesChannelId: salesChannel.id,
    regions: { eur: { id: regionIds.eur }, usd: { id: regionIds.usd } },
    productId: product.id,
    variantId: product.variants[0].id,
    shippingOptions,
    stockLocationId: location.id,
  }
}
