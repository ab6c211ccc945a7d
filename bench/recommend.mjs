// Batch throughput of `likewise recommend` (one NDJSON line per user, each
// --type) on the 10 M-event log's model: the log and the model
// bench/train.mjs writes under .bench/ (run it first).
//
//   npm run build && node bench/train.mjs && node bench/recommend.mjs [--events 10000000] [--runs 3] [--type for-you,similar,bought-together] [--threads N] [--cli FILE] [--baseline FILE]
//
// The CLI prints its own figures on stderr (users per second over the
// scoring, wall and per CPU second of the whole process, the model's load
// and the log's read apart); this script runs it with stdout to /dev/null
// and repeats it. On a loaded machine the wall figure swings with the
// load; the CPU figure shows the work: with the scoring spread over 2
// threads, N users per CPU second is 2N users/s on 2 idle cores.
// --baseline FILE (another build of dist/cli.mjs) runs that build too,
// alternately with this one, and prints the ratio of their CPU figures.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
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
// Another build of the CLI (e.g. a copy of dist/) can be measured with --cli.
const cli = resolve(args.cli ?? join(root, 'dist', 'cli.mjs'));
const baseline = args.baseline === undefined ? undefined : resolve(args.baseline);
const builds = baseline ? [cli, baseline] : [cli];
for (const [path, how] of [
  ...builds.map((b) => [b, 'npm run build']),
  [log, `node bench/train.mjs --events ${events}`],
  [join(model, 'manifest.json'), `node bench/train.mjs --events ${events}`],
]) {
  if (!existsSync(path)) {
    console.error(`bench/recommend.mjs: ${path} is missing: run \`${how}\` first.`);
    process.exit(1);
  }
}
// similar and bought-together ask about the most popular item, with each
// user's history for the exclusions (and, for similar, on-device learning).
const manifest = JSON.parse(readFileSync(join(model, 'manifest.json'), 'utf8'));
// (The file is `[header, 1, [1, id, score, id, score, ...]]`: modelFormat.ts.)
const top = JSON.parse(readFileSync(join(model, manifest.popularity.file), 'utf8'))[2][1];
const types = String(args.type ?? 'for-you,similar,bought-together').split(',');
const summary = [];
const range = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `${s[0]}–${s[s.length - 1]}`;
};
for (const type of types) {
  const rates = new Map(builds.map((b) => [b, []]));
  const cpuRates = new Map(builds.map((b) => [b, []]));
  for (let r = 0; r < runs; r++) {
    for (const build of builds) {
      const t0 = performance.now();
      const argv = [
        build,
        'recommend',
        '--model',
        model,
        '--events',
        log,
        '--json',
        '--limit',
        '10',
        '--type',
        type,
      ];
      if (type !== 'for-you') argv.push('--item', top);
      if (args.threads) argv.push('--threads', args.threads);
      const child = spawnSync(process.execPath, argv, {
        stdio: ['ignore', 'ignore', 'pipe'],
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      });
      const wall = (performance.now() - t0) / 1000;
      if (child.status !== 0) {
        console.error(child.stderr);
        process.exit(1);
      }
      const line = child.stderr.trim().split('\n').pop();
      const name = build === cli ? '' : ' (baseline)';
      console.log(`${type} run ${r + 1}${name}: ${line} (process ${wall.toFixed(1)} s)`);
      const m = /\((\d+) users\/s; CPU [\d.]+ s, (\d+) users per CPU second\)/.exec(line);
      if (m) {
        rates.get(build).push(Number(m[1]));
        cpuRates.get(build).push(Number(m[2]));
      }
    }
  }
  summary.push(
    `${type}: ${range(rates.get(cli))} users/s, ${range(cpuRates.get(cli))} users per CPU second over ${runs} runs`,
  );
  if (baseline) {
    const ratios = cpuRates.get(cli).map((x, r) => (x / cpuRates.get(baseline)[r]).toFixed(2));
    summary.push(
      `${type} baseline: ${range(rates.get(baseline))} users/s, ${range(cpuRates.get(baseline))} users per CPU second; per CPU second this build / baseline, run by run: ${ratios.join(', ')}`,
    );
  }
}
console.log(
  '\n10 items per user, NDJSON to /dev/null. Goal: >= 50,000 users/s; with 2 threads that is >= 25,000 users per CPU second, the figure a loaded machine still shows:',
);
for (const line of summary) console.log(`  ${line}`);
