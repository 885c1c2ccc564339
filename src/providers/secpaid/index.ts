import { ModuleProvider, Modules } from "@medusajs/framework/utils"
import { withAdminSettings } from "../../lib/gateway-settings"
import { SecPaidProviderService } from "./service"

// Settings saved in the admin (Settings → Payment gateways) override these options per call; see src/lib/gateway-settings.ts.
export default ModuleProvider(Modules.PAYMENT, { services: [withAdminSettings(SecPaidProviderService, "secpaid")] })
