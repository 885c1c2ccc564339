import { Badge, Button, Heading, Table, Text, toast } from "@medusajs/ui"
import { useCallback, useEffect, useState } from "react"
import { formatTime, paymentGatewaysApi, type GatewayId, type WebhookDelivery, type WebhookEvent } from "../lib/payment-gateways-api"

const ACCEPTED = new Set(["accepted", "duplicate"])

/**
 * Recent deliveries (signature verdict), recent events (processing outcome) and dead
 * letters with Retry, of every registration of the gateway (`shared`: the gateway has
 * several, and each of their sections shows the same log). `testId` prefixes the
 * elements' test ids.
 */
export function WebhookHealth({ gateway, testId = `pg-${gateway}`, shared = false }: { gateway: GatewayId; testId?: string; shared?: boolean }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[]>([])
  const [events, setEvents] = useState<WebhookEvent[]>([])
  const [dead, setDead] = useState<WebhookEvent[]>([])
  const [error, setError] = useState<string | null>(null)

  const load = useCallback(async () => {
    try {
      const [d, e, x] = await Promise.all([
        paymentGatewaysApi.deliveries(gateway),
        paymentGatewaysApi.events(gateway),
        paymentGatewaysApi.events(gateway, "dead_letter", 20),
      ])
      setDeliveries(d.webhook_deliveries)
      setEvents(e.webhook_events)
      setDead(x.webhook_events)
      setError(null)
    } catch (err) {
      setError(`The webhook log could not be loaded: ${(err as Error).message}`)
    }
  }, [gateway])

  useEffect(() => {
    void load()
  }, [load])

  const retry = async (id: string) => {
    try {
      const res = await paymentGatewaysApi.retryEvent(id)
      toast.success(`Event processed again: ${res.webhook_event.status}`)
    } catch (err) {
      toast.error((err as Error).message)
    }
    await load()
  }

  return (
    <div className="flex flex-col gap-y-4 px-6 py-4" data-testid={`${testId}-health`}>
      <div className="flex items-center justify-between">
        <Heading level="h3">Webhook health</Heading>
        <Button size="small" variant="secondary" onClick={() => void load()} data-testid={`${testId}-refresh`}>
          Refresh
        </Button>
      </div>
      {shared && (
        <Text size="small" className="text-ui-fg-subtle">
          Deliveries and events of every registration of this gateway.
        </Text>
      )}
      {error && <Text className="text-ui-fg-error">{error}</Text>}

      <Text size="small" weight="plus">Recent deliveries</Text>
      <Table data-testid={`${testId}-deliveries`}>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Time</Table.HeaderCell>
            <Table.HeaderCell>Signature / verdict</Table.HeaderCell>
            <Table.HeaderCell>HTTP</Table.HeaderCell>
            <Table.HeaderCell>Detail</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {deliveries.length === 0 && (
            <Table.Row>
              <Table.Cell>No deliveries yet</Table.Cell>
            </Table.Row>
          )}
          {deliveries.map((d) => (
            <Table.Row key={d.id}>
              <Table.Cell>{formatTime(d.received_at)}</Table.Cell>
              <Table.Cell>
                <Badge size="2xsmall" color={ACCEPTED.has(d.verdict) ? "green" : "red"}>
                  {d.verdict}
                </Badge>
                {d.repeat_count > 1 && (
                  <Text as="span" size="xsmall" className="text-ui-fg-subtle ml-1" title={d.last_received_at ? `until ${formatTime(d.last_received_at)}` : undefined}>
                    ×{d.repeat_count}
                  </Text>
                )}
              </Table.Cell>
              <Table.Cell>{d.http_status}</Table.Cell>
              <Table.Cell>{d.detail ?? d.event_id ?? ""}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>

      <Text size="small" weight="plus">Recent events</Text>
      <Table data-testid={`${testId}-events`}>
        <Table.Header>
          <Table.Row>
            <Table.HeaderCell>Time</Table.HeaderCell>
            <Table.HeaderCell>Type</Table.HeaderCell>
            <Table.HeaderCell>Processing</Table.HeaderCell>
            <Table.HeaderCell>Outcome</Table.HeaderCell>
          </Table.Row>
        </Table.Header>
        <Table.Body>
          {events.length === 0 && (
            <Table.Row>
              <Table.Cell>No events yet</Table.Cell>
            </Table.Row>
          )}
          {events.map((e) => (
            <Table.Row key={e.id}>
              <Table.Cell>{formatTime(e.received_at)}</Table.Cell>
              <Table.Cell>{e.event_type ?? "—"}</Table.Cell>
              <Table.Cell>
                <Badge size="2xsmall" color={e.status === "processed" ? "green" : e.status === "dead_letter" ? "red" : "orange"}>
                  {e.status}
                </Badge>
              </Table.Cell>
              <Table.Cell>{e.outcome ?? e.last_error ?? ""}</Table.Cell>
            </Table.Row>
          ))}
        </Table.Body>
      </Table>

      <Text size="small" weight="plus">Dead letters</Text>
      {dead.length === 0 ? (
        <Text size="small" className="text-ui-fg-subtle" data-testid={`${testId}-dead-letters`}>
          None: every stored event was processed or is still being retried.
        </Text>
      ) : (
        <Table data-testid={`${testId}-dead-letters`}>
          <Table.Body>
            {dead.map((e) => (
              <Table.Row key={e.id}>
                <Table.Cell>{formatTime(e.received_at)}</Table.Cell>
                <Table.Cell>{e.event_type ?? e.event_id}</Table.Cell>
                <Table.Cell>{e.last_error ?? ""}</Table.Cell>
                <Table.Cell>
                  <Button size="small" variant="secondary" onClick={() => void retry(e.id)}>
                    Retry
                  </Button>
                </Table.Cell>
              </Table.Row>
            ))}
          </Table.Body>
        </Table>
      )}
    </div>
  )
}
