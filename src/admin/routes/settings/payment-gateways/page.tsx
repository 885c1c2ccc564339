import { defineRouteConfig } from "@medusajs/admin-sdk"
import { CreditCard } from "@medusajs/icons"
import { Container, Heading, Text } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { GatewaySettingsSection } from "../../../components/gateway-settings-section"
import { paymentGatewaysApi, type DescribedGateway, type EncryptionStatus } from "../../../lib/payment-gateways-api"

/**
 * Settings → Payment gateways: keys and endpoints of every SecPaid and PayIn provider
 * registration (one section each: a store may register a gateway several times),
 * where each effective value comes from, the webhook URL to register, a connection
 * test and webhook health. Values saved here override medusa-config.ts without a
 * restart.
 */
const PaymentGatewaysPage = () => {
  const [gateways, setGateways] = useState<DescribedGateway[] | null>(null)
  const [encryption, setEncryption] = useState<EncryptionStatus | null>(null)
  const [error, setError] = useState<string | null>(null)

  useEffect(() => {
    paymentGatewaysApi
      .listSettings()
      .then((res) => {
        setGateways(res.gateways)
        setEncryption(res.encryption)
      })
      .catch((e: Error) => setError(`The payment gateway settings could not be loaded: ${e.message}`))
  }, [])

  const replace = (g: DescribedGateway) => setGateways((all) => (all ?? []).map((x) => (x.provider_id === g.provider_id ? g : x)))
  const registrationsOf = (g: DescribedGateway) => (gateways ?? []).filter((x) => x.gateway === g.gateway).length
  /** `pg-secpaid` for a gateway registered once, `pg-pp_secpaid_eu` for each of several. */
  const testIdOf = (g: DescribedGateway) => (registrationsOf(g) === 1 ? `pg-${g.gateway}` : `pg-${g.provider_id}`)

  return (
    <div className="flex flex-col gap-y-3">
      <Container className="flex flex-col gap-y-2 px-6 py-4">
        <Heading level="h1">Payment gateways</Heading>
        <Text size="small" className="text-ui-fg-subtle">
          Values saved here override the provider options in medusa-config.ts and are used by the next payment, on every
          server within 30 seconds. Secrets are stored encrypted and never shown again; only their last four characters are.
        </Text>
        {encryption && (
          <Text size="small" className={encryption.available && encryption.source === "env" ? "text-ui-fg-subtle" : "text-ui-fg-error"} data-testid="pg-encryption">
            {encryption.message}
          </Text>
        )}
        {error && <Text className="text-ui-fg-error">{error}</Text>}
      </Container>
      {gateways?.length === 0 && (
        <Container className="px-6 py-4">
          <Text size="small" className="text-ui-fg-subtle" data-testid="pg-none">
            No SecPaid or PayIn payment provider is registered in this store; add one to the payment module&apos;s providers in medusa-config.ts.
          </Text>
        </Container>
      )}
      {gateways?.map((g) => (
        <GatewaySettingsSection key={g.provider_id} gateway={g} testId={testIdOf(g)} shared={registrationsOf(g) > 1} onSaved={replace} />
      ))}
    </div>
  )
}

export const config = defineRouteConfig({
  label: "Payment gateways",
  icon: CreditCard,
})

export default PaymentGatewaysPage
