import fs from "node:fs"
import type { ExecArgs } from "@medusajs/framework/types"
import { seedDemoStore } from "../../dev/demo-store"

/** `medusa exec` script: seeds the demo store and writes the fixture to $FIXTURE_FILE. */
export default async function seedStoreForProcessTests({ container }: ExecArgs) {
  const fixture = await seedDemoStore(container)
  const file = process.env.FIXTURE_FILE
  if (!file) throw new Error("Set FIXTURE_FILE to the path the store fixture should be written to.")
  fs.writeFileSync(file, JSON.stringify(fixture))
}
