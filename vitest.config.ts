import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/browser/**', 'node_modules/**'],
    // Most tests need no DOM; a file that does says so in its first line
    // (`// @vitest-environment happy-dom`), so only those pay for setting one up.
    environment: 'node',
    testTimeout: 20_000,
    pool: 'threads',
  },
});
