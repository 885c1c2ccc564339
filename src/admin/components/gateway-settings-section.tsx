import { Badge, Button, Container, Copy, Heading, Input, Label, Switch, Text, toast } from "@medusajs/ui"
import { useState } from "react"
import {
  fieldsNamedIn,
  formatTime,
  paymentGatewaysApi,
  type ConnectionResult,
  type DescribedGateway,
  type DescribedSetting,
  type SettingSource,
} from "../lib/payment-gateways-api"
import { WebhookHealth } from "./webhook-health"

const SOURCE_LABEL: Record<SettingSource, string> = { admin: "admin", "medusa-config": "medusa-config", default: "default" }
const SOURCE_COLOR: Record<SettingSource, "green" | "blue" | "grey"> = { admin: "green", "medusa-config": "blue", default: "grey" }

/**
 * One provider registration (`pp_secpaid_eu`): its settings form, webhook URL,
 * connection test and webhook health. `testId` prefixes the elements' test ids
 * (`pg-secpaid` for a gateway registered once); `shared`: the gateway has other
 * registrations on the page.
 */
export function GatewaySettingsSection({
  gateway,
  testId,
  shared = false,
  onSaved,
}: {
  gateway: DescribedGateway
  testId: string
  shared?: boolean
  onSaved: (g: DescribedGateway) => void
}) {
  const [draft, setDraft] = useState<Record<string, unknown>>({})
  const [saving, setSaving] = useState(false)
  const [testing, setTesting] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [test, setTest] = useState<ConnectionResult | { ok: false; message: string } | null>(null)
  const id = testId
  const invalid = new Set(error ? fieldsNamedIn(error) : [])

  const set = (name: string, value: unknown) => setDraft((d) => ({ ...d, [name]: value }))

  /** Only what the merchant touched; an emptied field removes the saved value (null). */
  const body = () => {
    const out: Record<string, unknown> = {}
    for (const [name, value] of Object.entries(draft)) {
      const setting = gateway.settings.find((s) => s.name === name)
      if (typeof value === "string" && value.trim() === "") {
        if (setting?.kind === "secret") continue
        out[name] = null
      } else out[name] = value
    }
    return out
  }

  const save = async () => {
    setSaving(true)
    setError(null)
    try {
      const res = await paymentGatewaysApi.saveSettings(gateway.provider_id, body())
      setDraft({})
      onSaved(res.gateway)
      toast.success(`${gateway.label} settings saved`)
    } catch (e) {
      setError((e as Error).message)
    } finally {
      setSaving(false)
    }
  }

  const testConnection = async () => {
    setTesting(true)
    setTest(null)
    try {
      setTest(await paymentGatewaysApi.testConnection(gateway.provider_id, body()))
    } catch (e) {
      setTest({ ok: false, message: (e as Error).message })
    } finally {
      setTesting(false)
    }
  }

  return (
    <Container className="divide-y p-0" data-testid={id} data-provider-id={gateway.provider_id}>
      <div className="flex items-center justify-between px-6 py-4">
        <div className="flex items-center gap-x-2">
          <Heading level="h2">{gateway.label}</Heading>
          <Text size="small" className="text-ui-fg-muted font-mono" data-testid={`${id}-provider-id`}>
            {gateway.provider_id}
          </Text>
          <Badge color={gateway.enabled ? "green" : "grey"} size="2xsmall">
            {gateway.enabled ? "Enabled" : "Disabled"}
          </Badge>
        </div>
        <Text size="small" className="text-ui-fg-subtle">
          {gateway.updated_at ? `Saved in the admin ${formatTime(gateway.updated_at)}` : "Nothing saved in the admin yet"}
        </Text>
      </div>

      <div className="flex flex-col gap-y-2 px-6 py-4">
        <Label weight="plus">Webhook URL</Label>
        <div className="flex items-center gap-x-2">
          <code className="bg-ui-bg-subtle rounded px-2 py-1 text-sm" data-testid={`${id}-webhook-url`}>
            {gateway.webhook.url}
          </code>
          <Copy content={gateway.webhook.url} />
        </div>
        <Text size="small" className="text-ui-fg-subtle">
          {gateway.webhook.where}
        </Text>
        {gateway.problems.map((p) => (
          <Text key={p} size="small" className="text-ui-fg-error">
            {p}
          </Text>
        ))}
      </div>

      <div className="grid grid-cols-1 gap-4 px-6 py-4 md:grid-cols-2">
        {gateway.settings.map((setting) => (
          <SettingInput
            key={setting.name}
            testIdPrefix={id}
            setting={setting}
            draft={draft[setting.name]}
            invalid={invalid.has(setting.name)}
            onChange={(v) => set(setting.name, v)}
          />
        ))}
      </div>

      <div className="flex flex-col gap-y-3 px-6 py-4">
        {error && (
          <Text size="small" className="text-ui-fg-error" data-testid={`${id}-error`}>
            {error}
          </Text>
        )}
        <div className="flex items-center gap-x-2">
          <Button size="small" onClick={save} isLoading={saving} data-testid={`${id}-save`}>
            Save
          </Button>
          <Button size="small" variant="secondary" onClick={testConnection} isLoading={testing} data-testid={`${id}-test`}>
            Test connection
          </Button>
          {Object.keys(draft).length > 0 && (
            <Text size="small" className="text-ui-fg-subtle">
              Unsaved changes (Test connection uses them)
            </Text>
          )}
        </div>
        {test && (
          <div className="flex items-center gap-x-2" data-testid={`${id}-test-result`} data-ok={String(test.ok)}>
            <Badge color={test.ok ? "green" : "red"} size="2xsmall">
              {test.ok ? "OK" : "Failed"}
            </Badge>
            <Text size="small">{test.message}</Text>
          </div>
        )}
      </div>

      <WebhookHealth gateway={gateway.gateway} testId={id} shared={shared} />
    </Container>
  )
}

function SettingInput({
  testIdPrefix,
  setting,
  draft,
  invalid,
  onChange,
}: {
  testIdPrefix: string
  setting: DescribedSetting
  draft: unknown
  invalid: boolean
  onChange: (value: unknown) => void
}) {
  const testId = `${testIdPrefix}-${setting.name}`
  const cleared = draft === null
  const current = draft !== undefined && draft !== null ? draft : setting.value
  let input: JSX.Element
  switch (setting.kind) {
    case "boolean":
      input = <Switch id={testId} data-testid={testId} checked={current === true} onCheckedChange={(v) => onChange(v)} />
      break
    case "enum":
      input = (
        <select
          id={testId}
          data-testid={testId}
          className="bg-ui-bg-field shadow-borders-base txt-compact-small h-8 rounded-md px-2"
          value={typeof current === "string" ? current : ""}
          onChange={(e) => onChange(e.target.value === "" ? null : e.target.value)}
        >
          <option value="">{setting.value ? "—" : "(not set)"}</option>
          {(setting.values ?? []).map((v) => (
            <option key={v} value={v}>
              {v}
            </option>
          ))}
        </select>
      )
      break
    case "secret":
      input = (
        <Input
          id={testId}
          data-testid={testId}
          type="password"
          autoComplete="off"
          placeholder={setting.value ? `${setting.value} — type to replace` : "not set"}
          value={typeof draft === "string" ? draft : ""}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      )
      break
    default:
      input = (
        <Input
          id={testId}
          data-testid={testId}
          value={typeof draft === "string" ? draft : Array.isArray(current) ? current.join(", ") : typeof current === "string" ? current : ""}
          placeholder={setting.kind === "list" ? "comma-separated" : ""}
          aria-invalid={invalid}
          onChange={(e) => onChange(e.target.value)}
        />
      )
  }
  return (
    <div className="flex flex-col gap-y-1">
      <div className="flex items-center justify-between">
        <Label htmlFor={testId} size="small" weight="plus">
          {setting.label}
        </Label>
        <div className="flex items-center gap-x-1">
          <Badge size="2xsmall" color={cleared ? "orange" : SOURCE_COLOR[setting.source]} data-testid={`${testId}-source`}>
            {cleared ? "reset on save" : SOURCE_LABEL[setting.source]}
          </Badge>
          {setting.saved && !cleared && (
            <Button size="small" variant="transparent" onClick={() => onChange(null)} data-testid={`${testId}-reset`}>
              Reset
            </Button>
          )}
        </div>
      </div>
      {input}
      {setting.help && (
        <Text size="xsmall" className="text-ui-fg-subtle">
          {setting.help}
        </Text>
      )}
    </div>
  )
}
