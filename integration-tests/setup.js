const { MetadataStorage } = require("@medusajs/framework/mikro-orm/core")

MetadataStorage.clear()

// The global setup started one gateway sandbox and picked one Medusa port per jest
// worker; this suite takes those of the worker it runs on (before its modules load,
// so medusa-config.ts and the test helpers see them).
const slots = Number(process.env.TEST_WORKER_SLOTS || 0)
if (slots > 0) {
  const slot = ((Number(process.env.JEST_WORKER_ID || 1) - 1) % slots) + 1
  process.env.SANDBOX_URL = process.env[`TEST_SANDBOX_URL_${slot}`]
  process.env.PORT = process.env[`TEST_PORT_${slot}`]
  process.env.MEDUSA_BACKEND_URL = `http://localhost:${process.env.PORT}`
}
