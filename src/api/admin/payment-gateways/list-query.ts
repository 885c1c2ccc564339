import type { AuthenticatedMedusaRequest, MedusaResponse } from "@medusajs/framework/http"
import { z } from "zod"
import { PAYMENT_GATEWAYS_MODULE_KEY } from "../../../modules/payment-gateways/receive-webhook"
import type PaymentGatewaysModuleService from "../../../modules/payment-gateways/service"

/** `?gateway=&status=&limit=&offset=` for the admin lists; anything else is refused with a sentence. */
export const adminListQuerySchema = z.object({
  gateway: z.enum(["secpaid", "payin"]).optional(),
  status: z.string().regex(/^[a-z_]+(,[a-z_]+)*$/).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).default(0),
})

export function parseAdminListQuery(query: unknown) {
  const parsed = adminListQuerySchema.safeParse(query ?? {})
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    return { ok: false as const, message: `The query parameter \`${issue.path.join(".")}\` is invalid (${issue.message}).` }
  }
  return { ok: true as const, value: parsed.data }
}

export type AdminListQuery = z.infer<typeof adminListQuerySchema>

/**
 * A GET route of one admin list: parses the query (400 with a sentence on a bad one),
 * asks the plugin's module for one page with `list`, and answers
 * `{ [key]: rows, count, limit, offset }`. `?gateway=` is applied here; `list` adds
 * its own filters and order.
 */
export function adminListRoute(
  key: string,
  list: (
    inbox: PaymentGatewaysModuleService,
    query: AdminListQuery,
    page: { filters: Record<string, unknown>; take: number; skip: number }
  ) => Promise<[unknown[], number]>
) {
  return async (req: AuthenticatedMedusaRequest, res: MedusaResponse) => {
    const q = parseAdminListQuery(req.query)
    if (!q.ok) return res.status(400).json({ message: q.message })
    const inbox = req.scope.resolve<PaymentGatewaysModuleService>(PAYMENT_GATEWAYS_MODULE_KEY)
    const filters: Record<string, unknown> = q.value.gateway ? { gateway: q.value.gateway } : {}
    const [rows, count] = await list(inbox, q.value, { filters, take: q.value.limit, skip: q.value.offset })
    res.json({ [key]: rows, count, limit: q.value.limit, offset: q.value.offset })
  }
}
