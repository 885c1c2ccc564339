import { renderReturnPage } from "./return-page"
import { renderShopPage } from "./shop-page"
import { showError } from "./view"

/** Two pages: the shop at `/` and the gateway return at `/checkout/return` (the storefront return URL). */
const page = window.location.pathname.startsWith("/checkout/return") ? renderReturnPage : renderShopPage
page().catch(showError)
