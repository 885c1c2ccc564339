import type { SlotRequest } from "../../../lib/request-budget"
import { registerPaymentGatewaysModule } from "../../../modules/payment-gateways/runtime"
import type PaymentGatewaysModuleService from "../../../modules/payment-gateways/service"
import { DEFAULT_SECPAID_BUDGET_POLICY, secPaidRequestBudget, secPaidSlotStore } from "../request-budget"

describe("SecPaid request budget", () => {
  it("counts in this process's memory until the plugin module is there, then in the module's shared table", async () => {
    const request: SlotRequest = { limit: 1, windowMs: 60_000, reserve: 0 }
    expect(await secPaidSlotStore.take("secpaid:k", request)).toEqual({ taken: true })
    expect(await secPaidSlotStore.take("secpaid:k", request)).toMatchObject({ taken: false })

    const shared: string[] = []
    registerPaymentGatewaysModule({
      requestSlotStore: () => ({ take: async (key: string) => (shared.push(key), { taken: true as const }) }),
    } as unknown as PaymentGatewaysModuleService)
    expect(await secPaidSlotStore.take("secpaid:k", request)).toEqual({ taken: true })
    expect(shared).toEqual(["secpaid:k"])
  })

  it("gives every client of the process with the same policy the same budget (one queue)", () => {
    expect(secPaidRequestBudget()).toBe(secPaidRequestBudget(DEFAULT_SECPAID_BUDGET_POLICY))
    expect(secPaidRequestBudget({ ...DEFAULT_SECPAID_BUDGET_POLICY, maxWaiters: 5 })).not.toBe(secPaidRequestBudget())
  })
})
