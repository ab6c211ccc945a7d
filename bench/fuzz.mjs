// The property tests (fast-check) at benchmark size: every *.property.test.ts
// with LIKEWISE_FUZZ_RUNS cases per property (default 10,000; `npm test`
// runs a few hundred). Prints each property with its case count and result.
// Usage: node bench/fuzz.mjs [runs]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const runs = Number(process.argv[2] ?? 10_000);
const dir = mkdtempSync(join(tmpdir(), 'lw-fuzz-'));
const report = join(dir, 'report.json');
const t0 = performance.now();
const r = spawnSync(
  process.execPath,
  [
    'node_modules/vitest/vitest.mjs',
    'run',
    '.property.test.ts',
    '--reporter=json',
    `--outputFile=${report}`,
    '--testTimeout=3600000',
  ],
  { env: { ...process.env, LIKEWISE_FUZZ_RUNS: String(runs) }, encoding: 'utf8' },
);
const seconds = (performance.now() - t0) / 1000;
let results;
try {
  results = JSON.parse(readFileSync(report, 'utf8'));
} catch {
  console.log(r.stdout, r.stderr);
  process.exit(1);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
let passed = 0;
let total = 0;
for (const file of results.testResults) {
  for (const t of file.assertionResults) {
    // Example-based cases in the same files run once; properties run `runs` times.
    const property = !/^[^:]+: refused by both$|distinct bytes|measures the same/.test(t.title);
    total++;
    if (t.status === 'passed') passed++;
    console.log(
      `${t.status === 'passed' ? 'PASS' : 'FAIL'}  ${property ? `${runs} cases` : '1 case'}  ` +
        `${file.name.replace(/^.*\/test\//, 'test/')}: ${t.title}` +
        (t.status === 'passed' ? '' : `\n${(t.failureMessages ?? []).join('\n').slice(0, 2000)}`),
    );
  }
}
console.log(`${passed} of ${total} properties and cases passed in ${seconds.toFixed(0)} s`);
