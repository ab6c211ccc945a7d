// Offline quality and speed: `likewise eval` on the data sets in ../shared/data
// (when present) next to the reference item-kNN script (when Debian's python3
// with scipy is there). Usage: node bench/eval.mjs [--runs N]
// Builds src/cli/eval.ts into .bench/ first (rollup), so no build of the whole
// package is needed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const data = join(root, '..', 'shared', 'data');
const reference = join(root, '..', 'shared', 'reference', 'itemknn.py');
const python = '/usr/bin/python3';

async function buildEval() {
  const { rollup } = await import('rollup');
  const { default: esbuild } = await import('rollup-plugin-esbuild');
  const { default: resolve } = await import('@rollup/plugin-node-resolve');
  const out = join(root, '.bench', 'eval.mjs');
  mkdirSync(dirname(out), { recursive: true });
  const bundle = await rollup({
    input: join(root, 'src', 'cli', 'eval.ts'),
    external: (id) => id.startsWith('node:'),
    plugins: [
      resolve({ preferBuiltins: true }),
      esbuild({ include: /\.ts$/, target: 'es2020', tsconfig: join(root, 'tsconfig.json') }),
    ],
    onwarn: () => {},
  });
  await bundle.write({ file: out, format: 'es' });
  await bundle.close();
  return import(pathToFileURL(out).href);
}

function hasScipy() {
  if (!existsSync(python)) return false;
  return spawnSync(python, ['-c', 'import scipy'], { stdio: 'ignore' }).status === 0;
}

function runReference(events) {
  const text = execFileSync(
    python,
    [reference, '--events', events, '--holdout-tie', 'file-order', '--runs', '1'],
    { encoding: 'utf8', maxBuffer: 1 << 26 },
  );
  const out = {};
  for (const line of text.split('\n')) {
    const m = line.match(
      /(itemknn|popularity)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)/,
    );
    if (m)
      out[m[1]] = {
        hr10: +m[2],
        ndcg10: +m[3],
        coverage10: +m[4],
        buildMs: m[5] * 1000,
        scoreMs: m[6] * 1000,
      };
  }
  return out;
}

const { run } = await buildEval();
const withPython = hasScipy();
if (!withPython) console.log(`(no ${python} with scipy: reference figures skipped)`);
for (const name of ['ml-100k', 'tafeng']) {
  const events = join(data, name, 'events.csv');
  if (!existsSync(events)) {
    console.log(`${name}: ${events} not found, skipped`);
    continue;
  }
  let text = '';
  const io = { stdout: { write: (t) => (text += t) }, stderr: process.stderr, cwd: root };
  const code = await run(['--events', events, '--json'], io);
  if (code !== 0) throw new Error(`likewise eval exited ${code}`);
  const ours = JSON.parse(text);
  const ref = withPython ? runReference(events) : {};
  console.log(`\n${name}: ${ours.users} users, ${ours.items} items`);
  console.log(
    `${'model'.padEnd(22)}${'HR@10'.padStart(8)}${'NDCG@10'.padStart(9)}${'Cov@10'.padStart(8)}${'build ms'.padStart(10)}${'score ms'.padStart(10)}`,
  );
  const row = (label, m) =>
    console.log(
      `${label.padEnd(22)}${m.hr10.toFixed(4).padStart(8)}${m.ndcg10.toFixed(4).padStart(9)}${m.coverage10.toFixed(4).padStart(8)}${m.buildMs.toFixed(0).padStart(10)}${m.scoreMs.toFixed(0).padStart(10)}`,
    );
  row('likewise default', ours.models.default);
  row('likewise reference', ours.models.reference);
  row('likewise popularity', ours.models.popularity);
  if (ref.itemknn) row('python itemknn', ref.itemknn);
  if (ref.popularity) row('python popularity', ref.popularity);
  const d = ours.models.default;
  const r = ours.models.reference;
  for (const [label, m] of [
    ['default', d],
    ['reference', r],
  ])
    if (m.pairs)
      console.log(
        `${label} build: ${m.pairs} co-occurring pairs (sum over users of items squared), ${((m.buildMs * 1e6) / m.pairs).toFixed(1)} ns per pair (one thread)`,
      );
  console.log(
    `default vs reference: HR@10 ${((d.hr10 / r.hr10 - 1) * 100).toFixed(1)}%, NDCG@10 ${((d.ndcg10 / r.ndcg10 - 1) * 100).toFixed(1)}%, Cov@10 ${((d.coverage10 / r.coverage10 - 1) * 100).toFixed(1)}%`,
  );
  if (ref.itemknn) {
    console.log(
      `reference reproduction: dHR ${(r.hr10 - ref.itemknn.hr10).toFixed(4)}, dNDCG ${(r.ndcg10 - ref.itemknn.ndcg10).toFixed(4)}`,
    );
    const ratio = (r.buildMs + r.scoreMs) / (ref.itemknn.buildMs + ref.itemknn.scoreMs);
    const ratioDefault = (d.buildMs + d.scoreMs) / (ref.itemknn.buildMs + ref.itemknn.scoreMs);
    console.log(
      `time ratio (build+score, likewise / python): reference config ${ratio.toFixed(3)}, default ${ratioDefault.toFixed(3)}`,
    );
  }
}
