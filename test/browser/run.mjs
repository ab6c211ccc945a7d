// Runs the real-browser tests in headless Chromium when one is installed
// (/usr/bin/chromium or CHROME_PATH) and says plainly when it skips them.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { findChromium } from './chromium.mjs';

const chromium = findChromium();
if (!chromium) {
  console.log(
    'browser tests SKIPPED: no Chromium found (install Debian chromium or set CHROME_PATH). ' +
      '.ci/run installs it, so CI always runs them.',
  );
  process.exit(0);
}
if (!existsSync('dist/likewise.iife.js')) {
  console.error('browser tests need the build: run `npm run build` first');
  process.exit(1);
}
console.log(`browser tests with ${chromium}`);
const r = spawnSync(
  process.execPath,
  ['node_modules/vitest/vitest.mjs', 'run', '--config', 'test/browser/vitest.config.ts'],
  { stdio: 'inherit', env: { ...process.env, CHROME_PATH: chromium } },
);
process.exit(r.status ?? 1);
