import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/browser/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Each file has its own browser and demo server (port 0, temporary
    // folders; the demo data is made once, by prepareDemo.ts), so two run at
    // once: much of their time is spent waiting on pages, not computing.
    fileParallelism: true,
    maxWorkers: 2,
    globalSetup: ['test/browser/prepareDemo.ts'],
    passWithNoTests: true,
  },
});
