// The sequence similarity's build cost per pair against today's cosine
// build, measured in the same run on the same logs: the data sets in
// ../shared/data (when present) and a seeded synthetic session log.
//
//   node bench/sequence.mjs [--runs 5] [--warmup 1] [--events 2000000] [--data DIR] [--baseline SRC]
//
// A pair is what each build visits: for cosine the co-occurring pairs (the
// sum over users of their item count squared), for sequence the pairs
// within the window (both directions). Each figure is a whole
// buildNeighbours call (grouping, matrix or sequences, plan, rows) in CPU
// time of this process, divided by its pairs; the ratio is sequence's
// figure over cosine's. Builds alternate, and each figure is the median of
// the runs. CPU time, not wall time: on a loaded machine the wall time
// swings with the load. Builds src/engine into .bench/ first (rollup).
//
// The first --warmup builds of each kind on each log are not timed. The
// CPU time counts every thread of the process, the optimising compiler's
// too, and a build's first run compiles its code: a cost per process, not
// per pair, that landed on whichever log came first (ml-100k) and on the
// build with more code to compile. --warmup 0 gives the reading of the
// bench before this option (every build timed).
//
// Both counts are what each build's accumulation does: cosine adds every
// pair of a user's items (its own pair too, n squared), sequence each pair
// within the window from both ends (its own slot is not visited).
//
// --baseline SRC: another build's src/ (e.g. `git archive main src | tar -x
// -C /tmp/base`, then /tmp/base/src), whose cosine and sequence builds
// alternate with this one's in the same process: the column "before" is the
// baseline's per-pair ratio, and the last column this build's sequence time
// over the baseline's (medians), as the load hits both alike. The baseline
// runs its cosine builds too (timed for its ratio): the two kinds of build
// share code (the row loop, the selection), and code that only ever saw
// sequence builds is optimised for them alone, which this build's is not.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const runs = Number(args.runs ?? 5);
const warmup = Number(args.warmup ?? 1);
const events = Number(args.events ?? 2_000_000);
// The data sets: --data, else ../shared/data beside the repository (or
// beside a worktree's parent).
const data =
  args.data ??
  [join(root, '..', 'shared', 'data'), join(root, '..', '..', 'shared', 'data')].find(existsSync) ??
  join(root, '..', 'shared', 'data');

async function bundle(src = join(root, 'src'), name = 'sequence') {
  const { rollup } = await import('rollup');
  const { default: esbuild } = await import('rollup-plugin-esbuild');
  const { default: resolve } = await import('@rollup/plugin-node-resolve');
  const entry = join(root, '.bench', `${name}-entry.ts`);
  const out = join(root, '.bench', `${name}.mjs`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    entry,
    // Absolute paths: .bench may be a link to another disk.
    [
      `export { buildNeighbours } from '${src}/engine/buildNeighbours.ts';`,
      `export { buildUserItemMatrix, coOccurringPairs, DEFAULT_MAX_ITEMS_PER_USER } from '${src}/engine/userItemMatrix.ts';`,
      `export { userSequences, windowedPairs } from '${src}/engine/userSequences.ts';`,
      `export { readEvents } from '${src}/cli/readEvents.ts';`,
    ].join('\n'),
  );
  const b = await rollup({
    input: entry,
    external: (id) => id.startsWith('node:'),
    plugins: [
      resolve({ preferBuiltins: true }),
      esbuild({ include: /\.ts$/, target: 'es2020', tsconfig: join(root, 'tsconfig.json') }),
    ],
    onwarn: () => {},
  });
  await b.write({ file: out, format: 'es' });
  await b.close();
  return import(pathToFileURL(out).href);
}

const e = await bundle();
const base = args.baseline
  ? await bundle(resolvePath(args.baseline), 'sequence-baseline')
  : undefined;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A seeded session log: users browse runs of neighbouring items. */
function sessions(n) {
  let a = 7;
  const random = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const items = 50_000;
  const users = Math.round(n / 12);
  const log = {
    itemIds: Array.from({ length: items }, (_, i) => `i${i}`),
    userCount: users,
    users: new Uint32Array(n),
    items: new Uint32Array(n),
    types: new Uint8Array(n),
    times: new Float64Array(n),
    length: n,
  };
  for (let r = 0; r < n; r++) {
    const u = Math.floor(random() * users);
    const base = Math.floor(items * random() ** 3);
    log.users[r] = u;
    log.items[r] = Math.min(items - 1, base + Math.floor(random() * 20));
    log.times[r] = 1_700_000_000_000 + r * 1000;
  }
  return log;
}

const logs = [];
for (const name of ['ml-100k', 'tafeng', 'diginetica-sample']) {
  const file = join(data, name, 'events.csv');
  if (existsSync(file)) logs.push([name, await e.readEvents(file)]);
  else console.log(`${name}: MISSING ${file} (see docs/evaluation.md): not measured`);
}
logs.push([`synthetic sessions (${events} events)`, sessions(events)]);

console.log(
  `${'log'.padEnd(36)}${'cosine ns/pair'.padStart(16)}${'sequence ns/pair'.padStart(18)}${'ratio'.padStart(8)}${'cosine ms'.padStart(11)}${'sequence ms'.padStart(13)}${'ratio'.padStart(8)}${base ? `${'before'.padStart(8)}${'vs baseline'.padStart(13)}` : ''}`,
);
const cap = { maxItemsPerUser: e.DEFAULT_MAX_ITEMS_PER_USER };
const sequence = { ...cap, similarity: 'sequence', window: 10, backward: 0.5 };
for (const [name, log] of logs) {
  const cosinePairs = e.coOccurringPairs(e.buildUserItemMatrix(log, cap));
  const sequencePairs = e.windowedPairs(e.userSequences(log, cap), 10);
  const cos = [];
  const seq = [];
  const oldCos = [];
  const old = [];
  const cpuNs = (t) => {
    const u = process.cpuUsage(t);
    return (u.user + u.system) * 1000;
  };
  for (let r = 0; r < warmup; r++) {
    e.buildNeighbours(log, cap);
    e.buildNeighbours(log, sequence);
    base?.buildNeighbours(log, cap);
    base?.buildNeighbours(log, sequence);
  }
  for (let r = 0; r < runs; r++) {
    let t = process.cpuUsage();
    e.buildNeighbours(log, cap);
    cos.push(cpuNs(t) / cosinePairs);
    t = process.cpuUsage();
    e.buildNeighbours(log, sequence);
    seq.push(cpuNs(t) / sequencePairs);
    if (base) {
      t = process.cpuUsage();
      base.buildNeighbours(log, cap);
      oldCos.push(cpuNs(t) / cosinePairs);
      t = process.cpuUsage();
      base.buildNeighbours(log, sequence);
      old.push(cpuNs(t) / sequencePairs);
    }
  }
  const c = median(cos);
  const s = median(seq);
  // The whole builds too: sequence visits fewer pairs than cosine (only
  // those within the window), so per pair it can cost more while the build
  // costs less.
  const cMs = (c * cosinePairs) / 1e6;
  const sMs = (s * sequencePairs) / 1e6;
  console.log(
    `${name.padEnd(36)}${c.toFixed(1).padStart(16)}${s.toFixed(1).padStart(18)}${(s / c).toFixed(2).padStart(8)}${cMs.toFixed(1).padStart(11)}${sMs.toFixed(1).padStart(13)}${(sMs / cMs).toFixed(2).padStart(8)}${base ? `${(median(old) / median(oldCos)).toFixed(2).padStart(8)}${(s / median(old)).toFixed(2).padStart(13)}` : ''}`,
  );
}
console.log(
  `(CPU time, median of ${runs} alternating builds each after ${warmup} untimed, one thread; window 10, K 50; goal: ns/pair ratio <= 1.5)`,
);
