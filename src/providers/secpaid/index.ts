import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { SecPaidProviderService } from "./service"

// Settings saved in the admin (Settings → Payment gateways) override these options; the provider asks for them per call (src/lib/gateway-runtime.ts).
export default ModuleProvider(Modules.PAYMENT, { services: [SecPaidProviderService] })
