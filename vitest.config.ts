// Vitest: unit, property and integration tests under test/. Set CLOCKLAB_TEST_REPORT to a
// file path to also write a JSON report there (CI computes its summary line from it).
import { defineConfig } from 'vitest/config'

const report = process.env.CLOCKLAB_TEST_REPORT

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/system-tools.ts'],
    environment: 'node',
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: report ? ['default', ['json', { outputFile: report }]] : ['default'],
  },
})
