import { defineWidgetConfig } from "@medusajs/admin-sdk"
import type { AdminOrder, DetailWidgetProps } from "@medusajs/framework/types"
import { Badge, Button, Container, Heading, Text, toast } from "@medusajs/ui"
import { useEffect, useState } from "react"
import { formatTime, paymentGatewaysApi, type OrderGatewayPayment } from "../lib/payment-gateways-api"

const FLAG_LABELS: Record<string, string> = {
  amount_mismatch: "Amount mismatch",
  partial_payment: "Partial crypto payment",
  payment_after_cancel: "Payment after cancel",
  overpayment: "Overpaid",
  overpaid: "Overpaid",
  completed_short: "Completed short",
}

const STATE_COLOR: Record<string, "green" | "orange" | "red" | "grey"> = {
  captured: "green",
  authorized: "green",
  awaiting_payment: "orange",
  failed: "red",
  canceled: "grey",
}

/** Order page, side column: the SecPaid / PayIn payment behind this order. Renders nothing for other payments. */
const OrderGatewayPaymentWidget = ({ data: order }: DetailWidgetProps<AdminOrder>) => {
  const [payment, setPayment] = useState<OrderGatewayPayment | null | undefined>(undefined)
  const [checking, setChecking] = useState(false)
  const [check, setCheck] = useState<{ ok: boolean; message: string } | null>(null)

  useEffect(() => {
    paymentGatewaysApi
      .orderPayment(order.id)
      .then((res) => setPayment(res.payment))
      .catch(() => setPayment(null))
  }, [order.id])

  if (!payment) return null

  const reverify = async () => {
    setChecking(true)
    try {
      const res = await paymentGatewaysApi.reverifyOrder(order.id)
      setCheck(res.check)
      if (res.payment) setPayment(res.payment)
    } catch (e) {
      setCheck({ ok: false, message: (e as Error).message })
      toast.error((e as Error).message)
    } finally {
      setChecking(false)
    }
  }

  const gatewayName = payment.gateway_label
  const rows: Array<[string, string]> = [
    [payment.reference_label, payment.reference ?? "—"],
    ["Gateway status", payment.gateway_status ?? "—"],
    ["Amount", payment.amount ? `${payment.amount} ${payment.currency_code.toUpperCase()}` : "—"],
    ["Received", payment.received_amount ?? "—"],
    ["Verified at", formatTime(payment.verification.verified_at)],
    [
      "Last webhook",
      payment.last_webhook
        ? `${formatTime(payment.last_webhook.received_at)} · ${payment.last_webhook.event_type ?? "event"} · ${payment.last_webhook.status}${payment.last_webhook.outcome ? ` (${payment.last_webhook.outcome})` : ""}`
        : "none received",
    ],
  ]

  return (
    <Container className="divide-y p-0" data-testid="order-gateway-payment">
      <div className="flex items-center justify-between px-6 py-4">
        <Heading level="h2">{gatewayName} payment</Heading>
        <Badge size="2xsmall" color={STATE_COLOR[payment.verification.state] ?? "grey"} data-testid="order-gateway-payment-state">
          {payment.verification.state.replace(/_/g, " ")}
        </Badge>
      </div>
      <div className="flex flex-col gap-y-2 px-6 py-4">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-2 items-start gap-x-2">
            <Text size="small" weight="plus">{label}</Text>
            <Text size="small" className="break-words [overflow-wrap:anywhere]">{value}</Text>
          </div>
        ))}
      </div>
      <div className="flex flex-wrap gap-2 px-6 py-4" data-testid="order-gateway-payment-flags">
        {payment.flags.length === 0 ? (
          <Text size="small" className="text-ui-fg-subtle">No flags</Text>
        ) : (
          payment.flags.map((f) => (
            <Badge key={`${f.source}-${f.kind}`} size="2xsmall" color={f.resolved_at ? "grey" : "red"}>
              {FLAG_LABELS[f.kind] ?? f.kind}
            </Badge>
          ))
        )}
      </div>
      <div className="flex flex-col gap-y-2 px-6 py-4">
        <Button size="small" variant="secondary" onClick={reverify} isLoading={checking} data-testid="order-gateway-payment-reverify">
          Re-verify now
        </Button>
        {check && (
          <Text size="small" className={check.ok ? "text-ui-fg-subtle" : "text-ui-fg-error"} data-testid="order-gateway-payment-check">
            {check.message}
          </Text>
        )}
      </div>
    </Container>
  )
}

export const config = defineWidgetConfig({
  zone: "order.details.side.after",
})

export default OrderGatewayPaymentWidget
