import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PGlite starts in 0.3–3 s; PostgreSQL suites create their own schemas.
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    // The second reporter says under the summary when the browser tests were skipped.
    reporters: ['default', './test/support/browser-skip-reporter.ts'],
  },
});
