// Batch throughput of `likewise recommend` (for-you, one NDJSON line per
// user) on the 10 M-event log's model: the log and the model bench/train.mjs
// writes under .bench/ (run it first).
//
//   npm run build && node bench/train.mjs && node bench/recommend.mjs [--events 10000000] [--runs 3]
//
// The CLI prints its own figures on stderr (users per second over the
// scoring, the model's load and the log's read apart); this script runs it
// with stdout to /dev/null and repeats it.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const events = Number(args.events ?? 10_000_000);
const runs = Number(args.runs ?? 3);
const log = join(root, '.bench', `events-${events}.csv`);
const model = join(root, '.bench', `model-${events}`);
const cli = join(root, 'dist', 'cli.mjs');
for (const [path, how] of [
  [cli, 'npm run build'],
  [log, `node bench/train.mjs --events ${events}`],
  [join(model, 'manifest.json'), `node bench/train.mjs --events ${events}`],
]) {
  if (!existsSync(path)) {
    console.error(`bench/recommend.mjs: ${path} is missing: run \`${how}\` first.`);
    process.exit(1);
  }
}
const rates = [];
for (let r = 0; r < runs; r++) {
  const t0 = performance.now();
  const child = spawnSync(
    process.execPath,
    [cli, 'recommend', '--model', model, '--events', log, '--json', '--limit', '10'],
    { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8', maxBuffer: 1 << 24 },
  );
  const wall = (performance.now() - t0) / 1000;
  if (child.status !== 0) {
    console.error(child.stderr);
    process.exit(1);
  }
  const line = child.stderr.trim().split('\n').pop();
  console.log(`run ${r + 1}: ${line} (process ${wall.toFixed(1)} s)`);
  const m = /\((\d+) users\/s\)/.exec(line);
  if (m) rates.push(Number(m[1]));
}
rates.sort((a, b) => a - b);
console.log(
  `for-you, 10 items, NDJSON: ${rates[0]}–${rates[rates.length - 1]} users/s over ${runs} runs (goal: >= 50,000)`,
);
