// Offline quality and speed: `likewise eval` (with `--tune`) on the data sets
// in ../shared/data and on the demo's generated log, next to the reference
// item-kNN script (when Debian's python3 with scipy is there). See
// docs/evaluation.md for the protocol and where the data comes from.
//
//   node bench/eval.mjs [--data DIR] [--reference FILE] [--no-tune] [--only NAME]
//
// A data set that is missing is named as MISSING and the script exits 1 at
// the end, so a figure that was not measured is never taken for one that was.
// Builds src/cli/eval.ts into .bench/ first (rollup), so no build of the
// whole package is needed.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const option = (name) => {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
};
const data = resolve(option('--data') ?? join(root, '..', 'shared', 'data'));
const tune = !argv.includes('--no-tune');
const only = option('--only');
// The reference script beside the data (../shared/reference), or --reference FILE.
const reference = resolve(option('--reference') ?? join(data, '..', 'reference', 'itemknn.py'));
const python = '/usr/bin/python3';

async function buildEval() {
  const { rollup } = await import('rollup');
  const { default: esbuild } = await import('rollup-plugin-esbuild');
  const { default: resolvePlugin } = await import('@rollup/plugin-node-resolve');
  const out = join(root, '.bench', 'eval.mjs');
  mkdirSync(dirname(out), { recursive: true });
  const bundle = await rollup({
    input: join(root, 'src', 'cli', 'eval.ts'),
    external: (id) => id.startsWith('node:'),
    plugins: [
      resolvePlugin({ preferBuiltins: true }),
      esbuild({ include: /\.ts$/, target: 'es2020', tsconfig: join(root, 'tsconfig.json') }),
    ],
    onwarn: () => {},
  });
  await bundle.write({ file: out, format: 'es' });
  await bundle.close();
  return import(pathToFileURL(out).href);
}

function hasScipy() {
  if (!existsSync(python) || !existsSync(reference)) return false;
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

/** The demo's log, generated from its seed (examples/generate.mjs). */
function demoLog() {
  const out = join(root, '.bench', 'demo');
  const r = spawnSync(
    process.execPath,
    [join(root, 'examples', 'generate.mjs'), '--no-train', '--out', out],
    { stdio: 'ignore' },
  );
  return r.status === 0 ? join(out, 'events.csv') : undefined;
}

/** The targets for the tuned model (HR@10, NDCG@10). */
const TARGETS = {
  'ml-100k': [0.21, 0.11],
  tafeng: [0.17, 0.11],
  'diginetica-sample': [0.08, 0.045],
  demo: [0.599, 0.4044],
};

const { run } = await buildEval();
const withPython = hasScipy();
if (!withPython)
  console.log(`(no ${python} with scipy or no ${reference}: reference figures skipped)`);
const missing = [];
const sets = [
  ...['ml-100k', 'tafeng', 'diginetica-sample'].map((name) => [
    name,
    join(data, name, 'events.csv'),
  ]),
  ['demo', demoLog()],
].filter(([name]) => !only || name === only);
const summary = [];
for (const [name, events] of sets) {
  if (!events || !existsSync(events)) {
    console.log(
      `\n${name}: MISSING ${events ?? '(the generator failed)'}: NOT measured (see docs/evaluation.md)`,
    );
    missing.push(name);
    continue;
  }
  let text = '';
  let tuning = '';
  const io = {
    stdout: { write: (t) => (text += t) },
    stderr: { write: (t) => (tuning += t) },
    cwd: root,
  };
  const code = await run(['--events', events, '--json', ...(tune ? ['--tune'] : [])], io);
  if (code !== 0) throw new Error(`likewise eval exited ${code}: ${tuning}`);
  const ours = JSON.parse(text);
  const ref = withPython && name !== 'demo' ? runReference(events) : {};
  console.log(`\n${name}: ${ours.users} users, ${ours.items} items`);
  if (tune) process.stdout.write(tuning);
  console.log(
    `${'model'.padEnd(22)}${'HR@10'.padStart(8)}${'NDCG@10'.padStart(9)}${'Cov@10'.padStart(8)}${'build ms'.padStart(10)}${'score ms'.padStart(10)}`,
  );
  const row = (label, m) =>
    console.log(
      `${label.padEnd(22)}${m.hr10.toFixed(4).padStart(8)}${m.ndcg10.toFixed(4).padStart(9)}${m.coverage10.toFixed(4).padStart(8)}${(m.buildMs ?? Number.NaN).toFixed(0).padStart(10)}${(m.scoreMs ?? Number.NaN).toFixed(0).padStart(10)}`,
    );
  row('likewise default', ours.models.default);
  row('likewise reference', ours.models.reference);
  row('likewise popularity', ours.models.popularity);
  if (ours.models.tuned) row('likewise tuned', ours.models.tuned);
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
  const t = ours.models.tuned;
  if (t) {
    const [hr, ndcg] = TARGETS[name];
    const ok = t.hr10 >= hr && t.ndcg10 >= ndcg;
    summary.push(
      `${name.padEnd(20)} tuned ${t.hr10.toFixed(4)} / ${t.ndcg10.toFixed(4)}  target ${hr} / ${ndcg}  ${ok ? 'met' : 'NOT met'}  tuning ${(ours.tuning.ms / 1000).toFixed(1)} s wall, ${(ours.tuning.cpuMs / 1000).toFixed(1)} s CPU`,
    );
  }
}
if (summary.length) console.log(`\ntuned against the targets:\n${summary.join('\n')}`);
if (missing.length) {
  console.log(
    `\nMISSING data: ${missing.join(', ')}. Their figures were NOT measured; see docs/evaluation.md for where to get them.`,
  );
  process.exitCode = 1;
}
