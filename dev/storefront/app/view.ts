/** Tiny DOM helpers: the demo has no framework so that the Medusa calls stay in view. */

export function escapeHtml(value: unknown): string {
  return String(value ?? "").replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/** Display only: the Store API returns totals as numbers in major units; nothing is computed here. */
export function formatMoney(amount: number | undefined, currencyCode: string | undefined): string {
  if (amount === undefined || !currencyCode) return ""
  return new Intl.NumberFormat("en", { style: "currency", currency: currencyCode.toUpperCase() }).format(amount)
}

export function show(html: string): HTMLElement {
  const main = document.getElementById("app")
  if (!main) throw new Error("The page has no #app element.")
  main.innerHTML = html
  return main
}

export function showError(error: unknown) {
  const box = document.getElementById("error")
  const message = error instanceof Error ? error.message : String(error)
  if (box) {
    box.textContent = message
    box.hidden = false
  } else {
    show(`<h1>Something went wrong</h1><p id="error">${escapeHtml(message)}</p><p><a href="/">Back to the shop</a></p>`)
  }
}

export function clearError() {
  const box = document.getElementById("error")
  if (box) box.hidden = true
}

export function on(selector: string, event: string, handler: (event: Event) => unknown) {
  document.querySelector(selector)?.addEventListener(event, async (e) => {
    try {
      clearError()
      await handler(e)
    } catch (error) {
      showError(error)
      setBusy(false)
    }
  })
}

/** Disables every button while a request runs, so a double click cannot create two sessions. */
export function setBusy(busy: boolean) {
  document.querySelectorAll("button").forEach((b) => (b.disabled = busy))
  document.body.classList.toggle("busy", busy)
}
