import { z } from "zod"
import type { SandboxContext } from "./context"
import { json, type HttpResult, type ParsedRequest } from "./http"
import { SANDBOX_PAYIN_API_KEY } from "./credentials"
import { approveSecPaidRefund, openSecPaidDispute, settleSecPaidPayment } from "./secpaid/back-office"
import { cancelSecPaidLink, paySecPaidLink, SecPaidLinkStateError } from "./secpaid/hosted-page"
import { secPaidWebhooksForLink } from "./secpaid/webhooks"
import { accountOf as secPaidAccountOf, type SecPaidLink, type SecPaidTransaction } from "./secpaid/state"
import { PayInTransferError, sweepPayInExpiry, transferToPayInOrder } from "./payin/lifecycle"
import { payInEventForOrder, payInWebhooks } from "./payin/webhooks"
import { accountOf as payInAccountOf, type PayInOrder } from "./payin/state"

/**
 * The control API under /__control: what tests and demos use to play the customer,
 * the gateway's back office and a misbehaving network. JSON in, JSON out; errors are
 * `{ error: "<what was wrong>" }` with 400 / 404 / 409.
 */

const gatewaySchema = z.enum(["secpaid", "payin"])
const webhookFormatSchema = z.enum(["form", "json-flat", "json-nested"])

const faultSchema = z.object({
  gateway: gatewaySchema,
  endpoint: z.string().min(1).optional(),
  kind: z.enum(["429", "500", "hang", "slow"]),
  count: z.number().int().min(1).optional(),
  delayMs: z.number().int().min(0).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  afterProcessing: z.boolean().optional(),
})

const behaviourSchema = z.object({
  gateway: gatewaySchema,
  mode: z.enum(["normal", "duplicate", "drop", "delay", "reorder"]),
  count: z.number().int().min(1).optional(),
  delayMs: z.number().int().min(0).optional(),
})

const secpaidConfigSchema = z.object({
  webhookFormat: webhookFormatSchema.optional(),
  ampersandRedirects: z.boolean().optional(),
  docsGeneration: z.enum(["new", "old"]).optional(),
  profileCallbackUrls: z.array(z.string()).optional(),
  profilePaymentEndpoints: z.array(z.string()).optional(),
  rateLimitPerMinute: z.number().int().min(1).optional(),
  encryptedPlaintext: z.enum(["nested", "flat"]).optional(),
  webhookOnCancel: z.boolean().optional(),
})

const secpaidSendSchema = z.object({
  payId: z.union([z.string(), z.number()]).transform(String),
  status: z.enum(["success", "cancel"]),
  to: z.string().url(),
  format: webhookFormatSchema.optional(),
  amount: z.string().regex(/^\d+(\.\d{1,2})?$/).optional(),
  encryptionKey: z.string().length(32).optional(),
})

const signatureFormSchema = z.enum(["timestamped", "plain"])

const endpointsSchema = z.array(
  z.object({ url: z.string().url(), secret: z.string().min(1).optional(), signatureForm: signatureFormSchema.optional() })
)

/** A bare list sets the default account's endpoints; `{ apiKey, endpoints }` those of the account with that key. */
const setEndpointsSchema = z.preprocess(
  (body) => (Array.isArray(body) ? { endpoints: body } : body),
  z.object({ endpoints: endpointsSchema, apiKey: z.string().min(1).optional() })
)

const secpaidAccountSchema = z.object({
  apiKey: z.string().trim().min(1),
  environment: z.enum(["development", "production"]).optional(),
  account: z.string().trim().min(1).optional(),
})

const payinAccountSchema = z.object({
  apiKey: z.string().trim().min(1),
  webhookSecret: z.string().min(1),
  account: z.string().trim().min(1).optional(),
})

const payinConfigSchema = z.object({
  addressPoolSize: z.number().int().min(0).optional(),
  rejectDuplicateOrderReference: z.boolean().optional(),
  transferDetectedEvents: z.boolean().optional(),
  retryDelaysMs: z.array(z.number().int().min(0)).optional(),
})

const payinSendSchema = z.object({
  orderId: z.string().min(1),
  type: z.string().min(1).default("order.completed"),
  variant: z.enum(["valid", "forged", "unsigned", "wrong-secret", "replayed"]).default("valid"),
  to: z.string().url().optional(),
  secret: z.string().min(1).optional(),
  signatureForm: signatureFormSchema.optional(),
})

class ControlError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value ?? {})
  if (!r.success) {
    const issue = r.error.issues[0]
    throw new ControlError(400, `Invalid control request: ${issue.path.join(".") || "body"}: ${issue.message}`)
  }
  return r.data
}

function secpaidLink(ctx: SandboxContext, payId: string) {
  const link = ctx.secpaid.findLinkAnyEnvironment(payId)
  if (!link) throw new ControlError(404, `No SecPaid link with pay_id ${payId}`)
  return link
}

function payinOrder(ctx: SandboxContext, id: string): PayInOrder {
  const order = ctx.payin.find(id)
  if (!order) throw new ControlError(404, `No PayIn order with id ${id}`)
  return order
}

/**
 * Full SecPaid link as the control API shows it, with its `pay_id` and the label of the owning `account`
 * (the encryption key is a sandbox secret the tests chose themselves).
 */
const linkView = (link: SecPaidLink) => ({ ...link, pay_id: String(link.id), account: secPaidAccountOf(link) })
const transactionView = (row: SecPaidTransaction) => ({ ...row, account: secPaidAccountOf(row) })
const orderView = (order: PayInOrder) => ({ ...order, account: payInAccountOf(order) })

/** The PayIn account with this API key (the default account without one). */
function payinAccountOfKey(ctx: SandboxContext, apiKey: string | undefined): string {
  const account = ctx.payin.accountOfKey(apiKey ?? SANDBOX_PAYIN_API_KEY)
  if (!account) throw new ControlError(404, "No PayIn account has that API key; add it with payinAddAccount first")
  return account
}

async function route(ctx: SandboxContext, method: string, path: string, req: ParsedRequest): Promise<unknown> {
  const body = req.body
  const seg = path.split("/").filter(Boolean) // e.g. ["secpaid", "links", "42001", "pay"]
  const key = `${method} /${seg.map((s, i) => ((seg[i - 1] === "links" || seg[i - 1] === "orders") ? ":id" : s)).join("/")}`
  const id = decodeURIComponent(seg[2] ?? "")
  switch (key) {
    case "POST /reset":
      ctx.webhooks.reset()
      ctx.faults.clear()
      ctx.log.clear()
      ctx.secpaid.reset()
      ctx.payin.reset()
      ctx.clock.setOffsetMs(0)
      return { ok: true }
    case "GET /requests":
      return ctx.log.list({ gateway: req.query.get("gateway") ?? undefined, endpoint: req.query.get("endpoint") ?? undefined })
    case "GET /faults":
      return ctx.faults.list()
    case "POST /faults":
      return ctx.faults.add(parse(faultSchema, body))
    case "DELETE /faults":
      ctx.faults.clear()
      return { ok: true }
    case "GET /deliveries":
      return ctx.webhooks.deliveries({
        gateway: req.query.get("gateway") ?? undefined,
        url: req.query.get("url") ?? undefined,
        eventId: req.query.get("eventId") ?? undefined,
      })
    case "POST /webhook-behaviour":
      ctx.webhooks.setBehaviour(parse(behaviourSchema, body))
      return { ok: true }
    case "POST /webhooks/flush":
      return { deliveries: await ctx.webhooks.flushHeld() }
    case "GET /clock":
      return { now: ctx.clock.nowDate().toISOString(), offsetSeconds: ctx.clock.offsetSeconds }
    case "POST /clock/advance": {
      const { seconds } = parse(z.object({ seconds: z.number().min(0) }), body)
      ctx.clock.advance(seconds)
      const deliveries = await sweepPayInExpiry(ctx)
      return { now: ctx.clock.nowDate().toISOString(), offsetSeconds: ctx.clock.offsetSeconds, deliveries }
    }
    // SecPaid
    case "GET /secpaid/links":
      return ctx.secpaid.links.map(linkView)
    case "GET /secpaid/links/:id":
      return linkView(secpaidLink(ctx, id))
    case "GET /secpaid/transactions":
      return ctx.secpaid.transactions.map(transactionView)
    case "POST /secpaid/links/:id/pay":
    case "POST /secpaid/links/:id/cancel": {
      const link = secpaidLink(ctx, id)
      const opts = parse(
        z.object({ webhookFormat: webhookFormatSchema.optional(), transactionStatus: z.enum(["Success", "Pending"]).optional() }),
        body
      )
      const { redirectUrl, deliveries } =
        seg[3] === "pay" ? await paySecPaidLink(ctx, link, opts) : await cancelSecPaidLink(ctx, link, opts)
      return { redirectUrl, deliveries, link: linkView(link) }
    }
    case "POST /secpaid/links/:id/approve-refund":
      return linkView(approveSecPaidRefund(ctx, secpaidLink(ctx, id)))
    case "POST /secpaid/links/:id/settle":
      return linkView(settleSecPaidPayment(ctx, secpaidLink(ctx, id)))
    case "POST /secpaid/links/:id/dispute":
      return linkView(openSecPaidDispute(ctx, secpaidLink(ctx, id)))
    case "POST /secpaid/accounts":
      return ctx.secpaid.addAccount(parse(secpaidAccountSchema, body))
    case "GET /secpaid/config":
      return ctx.secpaid.config
    case "POST /secpaid/config":
      Object.assign(ctx.secpaid.config, parse(secpaidConfigSchema, body))
      return ctx.secpaid.config
    case "POST /secpaid/send-webhook": {
      // A webhook for a link that was NOT paid (or does not exist): what a forger would send.
      const input = parse(secpaidSendSchema, body)
      const link = ctx.secpaid.findLinkAnyEnvironment(input.payId)
      const webhooks = secPaidWebhooksForLink(
        {
          id: Number(input.payId) || 0,
          amount: input.amount ?? link?.amount ?? "1.00",
          recipient_note: link?.recipient_note ?? "",
          payment_endpoints: [input.to],
          is_encryption: Boolean(input.encryptionKey),
          encryption_key: input.encryptionKey,
        },
        input.status,
        { format: input.format ?? ctx.secpaid.config.webhookFormat, encryptedPlaintext: ctx.secpaid.config.encryptedPlaintext, note: "forged (secpaidSendWebhook)" }
      )
      return { deliveries: await ctx.webhooks.dispatch(webhooks) }
    }
    // PayIn
    case "GET /payin/orders":
      return ctx.payin.orders.map(orderView)
    case "GET /payin/orders/:id":
      return orderView(payinOrder(ctx, id))
    case "POST /payin/orders/:id/transfer": {
      const { amount } = parse(z.object({ amount: z.string().min(1) }), body)
      const { order, deliveries } = await transferToPayInOrder(ctx, payinOrder(ctx, id), amount)
      return { order: orderView(order), deliveries }
    }
    case "POST /payin/accounts":
      return ctx.payin.addAccount(parse(payinAccountSchema, body))
    case "GET /payin/webhook-endpoints":
      return ctx.payin.webhookEndpointsOf(payinAccountOfKey(ctx, req.query.get("apiKey") ?? undefined))
    case "POST /payin/webhook-endpoints": {
      const { endpoints, apiKey } = parse(setEndpointsSchema, body)
      const account = payinAccountOfKey(ctx, apiKey)
      const secret = ctx.payin.webhookSecretOf(account)
      ctx.payin.setWebhookEndpoints(
        account,
        endpoints.map((e) => ({ url: e.url, secret: e.secret ?? secret, ...(e.signatureForm ? { signatureForm: e.signatureForm } : {}) }))
      )
      return { ok: true, count: endpoints.length }
    }
    case "GET /payin/config":
      return { ...ctx.payin.config, retryDelaysMs: ctx.webhooks.retryDelaysMs }
    case "POST /payin/config": {
      const { retryDelaysMs, ...rest } = parse(payinConfigSchema, body)
      Object.assign(ctx.payin.config, rest)
      if (retryDelaysMs) ctx.webhooks.setRetryDelays(retryDelaysMs)
      return { ...ctx.payin.config, retryDelaysMs: ctx.webhooks.retryDelaysMs }
    }
    case "POST /payin/send-webhook": {
      const input = parse(payinSendSchema, body)
      const order = payinOrder(ctx, input.orderId)
      const event = payInEventForOrder(order, input.type, ctx.clock.nowDate().toISOString())
      const account = payInAccountOf(order)
      const accountEndpoints = ctx.payin.webhookEndpointsOf(account)
      const configured = input.to ? accountEndpoints.find((e) => e.url === input.to) : undefined
      const endpoints = input.to
        ? [
            {
              url: input.to,
              secret: input.secret ?? configured?.secret ?? ctx.payin.webhookSecretOf(account),
              signatureForm: input.signatureForm ?? configured?.signatureForm,
            },
          ]
        : accountEndpoints.map((e) => (input.signatureForm ? { ...e, signatureForm: input.signatureForm } : e))
      if (endpoints.length === 0) throw new ControlError(400, "No PayIn webhook endpoint is configured; pass `to` or call payinSetWebhookEndpoints first")
      return { deliveries: await ctx.webhooks.dispatch(payInWebhooks(event, endpoints, input.variant)) }
    }
    default:
      throw new ControlError(404, `Unknown control route ${method} /__control${path}`)
  }
}

export async function handleControl(ctx: SandboxContext, req: ParsedRequest): Promise<HttpResult> {
  if (req.bodyInvalid) return json(400, { error: "Control requests take a JSON body" })
  const path = req.path.replace(/^\/__control/, "") || "/"
  try {
    return json(200, await route(ctx, req.method, path, req))
  } catch (e) {
    if (e instanceof ControlError) return json(e.status, { error: e.message })
    if (e instanceof SecPaidLinkStateError || e instanceof PayInTransferError) return json(409, { error: e.message })
    return json(409, { error: (e as Error).message ?? String(e) })
  }
}
