export default async function globalTeardown() {
  const sandbox = (globalThis as any).__SANDBOX__ as { close(): Promise<void> } | undefined
  await sandbox?.close()
}
