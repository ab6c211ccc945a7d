// Measures the gzip size of every built bundle against its budget
// (package.json "sizeBudgets", bytes gzip). Printed by `npm run bench`
// and enforced by test/build/size.test.ts inside `npm test`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

/** @returns {{file: string, bytes: number, gzip: number, budget: number|undefined}[]} */
export function measureSizes(root = '.') {
  const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));
  return Object.entries(pkg.sizeBudgets).map(([file, budget]) => {
    const code = readFileSync(`${root}/${file}`);
    return { file, bytes: code.length, gzip: gzipSync(code, { level: 9 }).length, budget };
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const s of measureSizes()) {
    const pct = s.budget
      ? ` (${((100 * s.gzip) / s.budget).toFixed(0)}% of ${s.budget} B budget)`
      : '';
    console.log(
      `${s.file.padEnd(28)} ${String(s.bytes).padStart(7)} B min  ${String(s.gzip).padStart(6)} B gzip${pct}`,
    );
  }
}
