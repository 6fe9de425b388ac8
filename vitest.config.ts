import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'sandbox/**/*.test.ts', 'test/**/*.test.ts', 'workflows/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one worker per core but one, which on CI's 2 cores runs every file in turn.
    // Many files mostly wait (sandbox and worker processes, Redis, PostgreSQL, timers), so two at once
    // halve the wall time: 831 s → 466 s measured on the same suite.
    maxWorkers: 2,
    reporters: ['default', './test/summary-reporter.ts'],
  },
});
