import { z } from "zod"

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
