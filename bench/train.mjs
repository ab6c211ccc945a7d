#!/usr/bin/env node
// Benchmark of `likewise train` on a synthetic power-law log (bench/synthetic.mjs),
// then of the for-you query on the trained model, loaded through the model loader.
//
//   npm run build   (dist/cli.mjs must exist)
//   node bench/train.mjs [--events 10000000] [--threads 2] [--queries 2000] [--cli dist/cli.mjs] [--out DIR]
//
// Prints events/s, seconds, peak RSS (the whole process, worker threads
// included), bytes per item, and for-you p50/p99 for a visitor with 200
// history events once the shards are loaded. The log is cached under .bench/.
//
// Each run trains into a new, empty folder, which replaces
// .bench/model-<events> at the end (bench/forYou.mjs and bench/recommend.mjs
// read it there): a folder that already holds the same model gets no shard
// written (`likewise train` keeps a shard folder of the same id), so a
// second run into it would time no file writing at all. Writing the shard files is the file system's
// work, and on a shared virtual disk its speed swings tenfold: creating
// 15,000 small files took 0.4 s or 3-7 s on one machine, the slow runs
// within seconds of a large deletion. So the bench then writes the same
// number of files of the same sizes with a plain loop (the control) and
// prints both, with the time of the run less its file writing.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { generate } from './synthetic.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const events = Number(args.events ?? 10_000_000);
const scale = events / 10_000_000;
const queries = Number(args.queries ?? 2000);
const bench = join(root, '.bench');
mkdirSync(bench, { recursive: true });
const log = join(bench, `events-${events}.csv`);
// --out trains into that folder (a folder that holds this model already
// gets no shard written: see above).
const kept = join(bench, `model-${events}`);
const out = resolve(args.out ?? join(bench, `train-${process.pid}`));
if (!args.out) await rm(out, { recursive: true, force: true });

// Another build of the CLI (e.g. a private bundle) can be measured with --cli.
const cli = resolve(args.cli ?? join(root, 'dist/cli.mjs'));
if (!existsSync(cli)) {
  console.error(`bench/train.mjs: ${cli} is missing: run \`npm run build\` first.`);
  process.exit(1);
}
if (!existsSync(log)) {
  const t0 = performance.now();
  await generate({
    events,
    users: Math.max(100, Math.round(1_000_000 * scale)),
    items: Math.max(100, Math.round(100_000 * Math.sqrt(scale))),
    out: log,
  });
  console.log(`generated ${log} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

// Peak RSS and CPU time (user, system; in µs) of the child, reported by the
// child itself on exit (worker threads share both). On a shared machine the
// wall time swings with the host's load; the CPU time shows the same work.
const peak =
  'data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("maxrss "+u.maxRSS+" cpu "+u.userCPUTime+" "+u.systemCPUTime+"\\n")})';
const trainArgs = ['train', '--events', log, '--out', out];
if (args.threads) trainArgs.push('--threads', args.threads);
const t0 = performance.now();
const child = spawn(process.execPath, ['--import', peak, cli, ...trainArgs], {
  stdio: ['ignore', 'pipe', 'pipe'],
});
let stdout = '';
let stderr = '';
child.stdout.on('data', (d) => {
  stdout += d;
});
child.stderr.on('data', (d) => {
  stderr += d;
});
const code = await new Promise((r) => child.on('close', r));
const seconds = (performance.now() - t0) / 1000;
if (code !== 0) {
  console.error(stdout, stderr);
  process.exit(1);
}
// Worker threads run the hook too, as they exit: the figures only grow, and
// the main thread's, the last, are the process's.
const usage = [...stderr.matchAll(/maxrss (\d+) cpu (\d+) (\d+)/g)].map((m) =>
  m.slice(1).map(Number),
);
if (!usage.length) {
  console.error('the training child did not report its resource usage:', stderr);
  process.exit(1);
}
const [maxRssKb, userUs, systemUs] = [0, 1, 2].map((f) => Math.max(...usage.map((u) => u[f])));
process.stdout.write(stdout);
const manifest = JSON.parse(await readFile(join(out, 'manifest.json'), 'utf8'));
const shardBytes = manifest.bytes;
// What a CDN would send with gzip.
let gzipBytes = 0;
for (let s = 0; s < manifest.shards; s++)
  gzipBytes += gzipSync(await readFile(join(out, `${manifest.dir}${s}.json`))).length;
console.log(
  `train: ${events} events in ${seconds.toFixed(2)} s (${Math.round(events / seconds)} events/s), ` +
    `peak RSS ${Math.round(maxRssKb / 1024)} MB, ${(shardBytes / manifest.items).toFixed(1)} bytes per item, ` +
    `${(gzipBytes / manifest.items).toFixed(1)} gzipped, ` +
    `${manifest.shards} shards of ${Math.round(shardBytes / manifest.shards / 1024)} KB`,
);
console.log(
  `train CPU: ${(userUs / 1e6).toFixed(2)} s user + ${(systemUs / 1e6).toFixed(2)} s system ` +
    `(${((userUs + systemUs) / 1e6 / seconds).toFixed(2)} cores busy on average)`,
);
// The CLI's `write` (its files, encoded already), then the control: as many
// files of the same sizes, written by a plain loop into a new folder.
const secondsOf = (m) => (m ? Number(m[1]) / (m[2] === 'ms' ? 1000 : 1) : Number.NaN);
const written = secondsOf(/write ([\d.]+) (m?s)\)/.exec(stdout));
const sizes = await fileSizes(out);
const control = join(bench, `control-${process.pid}`);
mkdirSync(control);
const bodies = sizes.map((size) => Buffer.alloc(size, 7));
const tc = performance.now();
for (let i = 0; i < bodies.length; i++) writeFileSync(join(control, `${i}.json`), bodies[i]);
const controlSeconds = (performance.now() - tc) / 1000;
await rm(control, { recursive: true, force: true });
console.log(
  `files: train wrote ${sizes.length} files in ${written.toFixed(2)} s; a plain loop writing as many ` +
    `of the same sizes right after: ${controlSeconds.toFixed(2)} s. ` +
    `The run less its file writing: ${(seconds - written).toFixed(2)} s`,
);

// Query latency: bundle the loader and the for-you scenario from the sources.
const entry = join(bench, 'query-entry.ts');
writeFileSync(
  entry,
  `export { createModelLoader } from ${JSON.stringify(join(root, 'src/model/createModelLoader.ts'))};\n` +
    `export { forYou } from ${JSON.stringify(join(root, 'src/engine/recommend.ts'))};\n`,
);
const bundle = join(bench, 'query-entry.mjs');
try {
  const { build } = await import('rolldown');
  await build({ input: entry, platform: 'node', output: { file: bundle }, logLevel: 'silent' });
} catch (error) {
  console.log(`query latency: skipped (cannot bundle the sources: ${error.message})`);
  process.exit(0);
}
const { createModelLoader, forYou } = await import(pathToFileURL(bundle).href);
let fetched = 0;
let fetchedBytes = 0;
const fileFetch = async (url) => {
  const bytes = await readFile(join(out, url.replace(/^model\//, '')));
  fetched++;
  fetchedBytes += bytes.length;
  return new Response(bytes);
};
const loader = createModelLoader('model/manifest.json', {}, { fetch: fileFetch });
const pop = await loader.popularity();
// A visitor with 200 history events over popular-ish items, latest last.
let seed = 7;
const random = () => {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  return seed / 4294967296;
};
const history = [];
const types = ['view', 'view', 'view', 'click', 'add_to_cart', 'purchase'];
for (let e = 0; e < 200; e++) {
  const id = pop.ids[Math.floor(random() ** 2 * pop.ids.length)];
  history.push({
    id: `e${e}`,
    type: types[e % types.length],
    ts: 1_700_000_000_000 + e * 60_000,
    session: 's',
    itemId: id,
  });
}
// Load what for-you reads: the 50 most recent distinct history items (its maxHistory).
const recent = [...new Set(history.map((e) => e.itemId).reverse())].slice(0, 50);
const tLoad = performance.now();
const source = await loader.neighbours(recent);
const loadMs = performance.now() - tLoad;
const distinct = new Set(history.map((e) => e.itemId)).size;
for (let q = 0; q < 200; q++) forYou(source, history);
const times = [];
for (let q = 0; q < queries; q++) {
  const a = performance.now();
  forYou(source, history);
  times.push(performance.now() - a);
}
times.sort((a, b) => a - b);
const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
console.log(
  `for-you (200 history events, ${distinct} distinct items, shards of the ${recent.length} most recent; ${fetched} files, ${Math.round(fetchedBytes / 1024)} KB loaded in ${loadMs.toFixed(0)} ms): ` +
    `p50 ${at(0.5).toFixed(3)} ms, p99 ${at(0.99).toFixed(3)} ms over ${queries} queries`,
);
await rm(bundle, { force: true });
if (!args.out) {
  await rm(kept, { recursive: true, force: true });
  await rename(out, kept);
}

/** The size of every file under `dir`, in any order. */
async function fileSizes(dir) {
  const sizes = [];
  for (const e of await readdir(dir, { withFileTypes: true, recursive: true }))
    if (e.isFile()) sizes.push((await stat(join(e.parentPath ?? e.path, e.name))).size);
  return sizes;
}
