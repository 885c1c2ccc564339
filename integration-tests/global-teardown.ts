import { dropDatabaseIfExists } from "./test-databases"

export default async function globalTeardown() {
  const state = (globalThis as any).__TEST_RUN__ as { sandboxes: Array<{ close(): Promise<void> }>; templates: string[] } | undefined
  if (!state) return
  ;(globalThis as any).__TEST_RUN__ = undefined
  await Promise.all(state.sandboxes.map((s) => s.close()))
  for (const name of state.templates) await dropDatabaseIfExists(name).catch(() => undefined)
}
