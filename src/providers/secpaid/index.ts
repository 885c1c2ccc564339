import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { SecPaidProviderService } from "./service"

export default ModuleProvider(Modules.PAYMENT, { services: [SecPaidProviderService] })
