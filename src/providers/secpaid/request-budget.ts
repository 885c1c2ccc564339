import { MemorySlotStore, RequestBudget, type BudgetPolicy, type SlotStore } from "../../lib/request-budget"
import { paymentGatewaysModule } from "../../modules/payment-gateways/runtime"
import { SECPAID_REQUESTS_PER_MINUTE, secPaidRequestBudgetSchema } from "./options"

/**
 * SecPaid's 60 requests a minute per API key, as one budget for the whole store: the
 * slots live in the store's PostgreSQL (every instance takes from the same 60), spent
 * by priority (checkout first, anonymous and background last), waited for in a bounded
 * queue per process. See "SecPaid request budget" in the README.
 */
export const SECPAID_WINDOW_MS = 60_000

export const DEFAULT_SECPAID_BUDGET_POLICY: BudgetPolicy = secPaidRequestBudgetSchema.parse({})

/** Slots of this process alone, for a process without the plugin module (unit tests, a store that left it out). */
const processSlots = new MemorySlotStore()

/**
 * The plugin module's shared table when the module runs in this process, else this
 * process's memory. Asked at every call: the payment provider is constructed before the
 * plugin module, in a container that cannot resolve it.
 */
export const secPaidSlotStore: SlotStore = {
  take: (key, request) => (paymentGatewaysModule()?.requestSlotStore() ?? processSlots).take(key, request),
}

const budgets = new Map<string, RequestBudget>()

/**
 * The process's budget for a policy: every client of this process with the same policy
 * (the provider's, the one rebuilt after an admin saves settings, reconciliation's)
 * waits in the same queue, so priorities hold between them.
 */
export function secPaidRequestBudget(policy: BudgetPolicy = DEFAULT_SECPAID_BUDGET_POLICY): RequestBudget {
  const id = JSON.stringify(policy)
  let budget = budgets.get(id)
  if (!budget) {
    budget = new RequestBudget({ ...policy, store: secPaidSlotStore, limit: SECPAID_REQUESTS_PER_MINUTE, windowMs: SECPAID_WINDOW_MS })
    budgets.set(id, budget)
  }
  return budget
}
