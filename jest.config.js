const { loadEnv } = require("@medusajs/framework/utils")
loadEnv("test", process.cwd())

const transform = {
  "^.+\\.[jt]sx?$": [
    "@swc/jest",
    { jsc: { parser: { syntax: "typescript", decorators: true, tsx: true }, target: "es2021" } },
  ],
}

const common = {
  transform,
  testEnvironment: "node",
  moduleFileExtensions: ["js", "ts", "tsx", "json"],
  modulePathIgnorePatterns: ["dist/", "<rootDir>/.medusa/", "<rootDir>/.data/"],
}

/**
 * One jest run, several projects, one summary line. `npm test` (scripts/test.mjs)
 * provides PostgreSQL (DB_* or an embedded instance) and the gateway sandbox URL.
 * TEST_TYPE narrows the run to one project: unit | integration | e2e.
 */
const projects = {
  unit: {
    ...common,
    displayName: "unit",
    testMatch: ["<rootDir>/src/**/__tests__/**/*.unit.spec.[jt]s", "<rootDir>/sandbox/**/__tests__/**/*.spec.[jt]s"],
  },
  integration: {
    ...common,
    displayName: "integration",
    testMatch: [
      "<rootDir>/integration-tests/http/**/*.spec.[jt]s",
      "<rootDir>/integration-tests/install/**/*.spec.[jt]s",
      "<rootDir>/src/modules/*/__tests__/**/*.spec.[jt]s",
    ],
    // Unit specs next to a module belong to the unit project only.
    testPathIgnorePatterns: ["/node_modules/", "\\.unit\\.spec\\.[jt]s$"],
    setupFiles: ["<rootDir>/integration-tests/setup.js"],
    globalSetup: "<rootDir>/integration-tests/global-setup.ts",
    globalTeardown: "<rootDir>/integration-tests/global-teardown.ts",
  },
  e2e: {
    ...common,
    displayName: "e2e",
    testMatch: ["<rootDir>/e2e/**/*.spec.[jt]s"],
    setupFiles: ["<rootDir>/integration-tests/setup.js"],
    globalSetup: "<rootDir>/integration-tests/global-setup.ts",
    globalTeardown: "<rootDir>/integration-tests/global-teardown.ts",
  },
}

const only = process.env.TEST_TYPE
module.exports = {
  transform,
  projects: only ? [projects[only]] : Object.values(projects),
  testTimeout: 120000,
}
