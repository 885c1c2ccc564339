import type { MedusaContainer } from "@medusajs/framework/types"
import type { AxiosInstance } from "axios"
import { adminHeaders } from "../../integration-tests/helpers/store-fixture"

/** Orders as the merchant sees them in the admin API: the ground truth the browser tests assert. */
export async function listOrdersAsAdmin(api: AxiosInstance, container: MedusaContainer) {
  const headers = await adminHeaders(api, container)
  const { data } = await api.get("/admin/orders?fields=id,display_id,email,total,currency_code,payment_status&limit=50", headers)
  return data.orders as Array<{ id: string; email: string; total: number; currency_code: string; payment_status: string }>
}

export async function retrieveOrderAsAdmin(api: AxiosInstance, container: MedusaContainer, orderId: string) {
  const headers = await adminHeaders(api, container)
  const { data } = await api.get(`/admin/orders/${orderId}?fields=id,email,total,currency_code,payment_status,*payment_collections,*payment_collections.payments`, headers)
  return data.order as {
    id: string
    email: string
    total: number
    currency_code: string
    payment_status: string
    payment_collections: Array<{ status: string; payments: Array<{ provider_id: string; amount: number; captured_at: string | null }> }>
  }
}
