#!/usr/bin/env node
// Query latency of the engine's scenarios on an already-trained model, without
// retraining: the same for-you visitor as the second half of bench/train.mjs
// (200 history events over popular-ish items), plus similar, bought-together
// for a cart, and the whole public path (createRecommender over the model
// service and the catalogue the widget part builds, a product API as the
// catalogue, local neighbours included). `--cpu 1` adds CPU-time
// percentiles.
//
//   node bench/forYou.mjs [--model .bench/model-10000000] [--queries 2000] [--only TEXT] [--verbose 1] [--cpu 1] [--dump out.json]
//
// Uses .bench/model-10000000 if present, else .bench/model-1000000 (train one
// with `node bench/train.mjs --events 1000000 --queries 10`). `--dump` writes
// every scenario's results as JSON, to diff two versions of the engine;
// `--only` times only the scenarios whose label contains TEXT (for a profiler;
// KEEP_BUNDLE=1 keeps the bundled sources in .bench/ for its source lines).
import { existsSync, writeFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv
    .slice(2)
    .map((a, i, all) => (a.startsWith('--') ? [a.slice(2), all[i + 1]] : null))
    .filter(Boolean),
);
const queries = Number(args.queries ?? 2000);
const model =
  args.model ??
  [join(root, '.bench/model-10000000'), join(root, '.bench/model-1000000')].find((d) =>
    existsSync(join(d, 'manifest.json')),
  );
if (!model) {
  console.error(
    'bench/forYou.mjs: no trained model in .bench/: run `node bench/train.mjs --events 1000000 --queries 10` first.',
  );
  process.exit(1);
}

// Bundle the engine and the model code straight from the sources.
const src = (p) => JSON.stringify(join(root, 'src', p));
const entry = join(root, '.bench', `forYou-entry-${process.pid}.ts`);
const bundle = join(root, '.bench', `forYou-entry-${process.pid}.mjs`);
writeFileSync(
  entry,
  `export { createModelLoader } from ${src('model/createModelLoader.ts')};\n` +
    `export { createModelReader } from ${src('model/createModelReader.ts')};\n` +
    `export { trainLocally } from ${src('model/trainLocally.ts')};\n` +
    `export { createCatalog } from ${src('model/createCatalog.ts')};\n` +
    `export { createRecommender } from ${src('model/createRecommender.ts')};\n` +
    `export { forYou, similar, boughtTogether } from ${src('engine/recommend.ts')};\n` +
    `export { blendSources } from ${src('engine/neighbourSource.ts')};\n`,
);
try {
  const { build } = await import('rolldown');
  await build({ input: entry, platform: 'node', output: { file: bundle }, logLevel: 'silent' });
} finally {
  await rm(entry, { force: true });
}
const lib = await import(pathToFileURL(bundle).href);
if (!process.env.KEEP_BUNDLE) await rm(bundle, { force: true });
const {
  blendSources,
  createCatalog,
  createModelLoader,
  createModelReader,
  createRecommender,
  trainLocally,
  forYou,
  similar,
  boughtTogether,
} = lib;

const fileFetch = async (url) =>
  new Response(await readFile(join(model, url.replace(/^model\//, ''))));
const loader = createModelLoader('model/manifest.json', {}, { fetch: fileFetch });
const pop = await loader.popularity();

// The visitor of bench/train.mjs: 200 history events over popular-ish items, latest last.
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
const recent = [...new Set(history.map((e) => e.itemId).reverse())].slice(0, 50);
const source = await loader.neighbours(recent);
// A cart of five items, with their bought-together lists.
const cart = recent.slice(0, 5);
const item = recent[0];

function report(label, times) {
  times.sort((a, b) => a - b);
  const at = (p) => times[Math.min(times.length - 1, Math.floor(p * times.length))].toFixed(3);
  console.log(
    `${label.padEnd(44)} p50 ${at(0.5)} ms, p99 ${at(0.99)} ms over ${queries} queries` +
      (args.verbose !== undefined
        ? ` (p90 ${at(0.9)}, p95 ${at(0.95)}, p99.9 ${at(0.999)}, max ${at(1)})`
        : ''),
  );
}

const skip = (label) => args.only !== undefined && !label.includes(args.only);

// Asynchronous paths (recommend()): the same, awaiting each query. The CPU
// pass counts this process only: an in-process service does all its work here.
async function time(label, run) {
  if (skip(label)) return;
  for (let q = 0; q < 200; q++) await run();
  const times = [];
  for (let q = 0; q < queries; q++) {
    const a = performance.now();
    await run();
    times.push(performance.now() - a);
  }
  report(label, times);
  if (args.cpu === undefined) return;
  const cpu = [];
  for (let q = 0; q < queries; q++) {
    const a = process.cpuUsage();
    await run();
    const b = process.cpuUsage(a);
    cpu.push((b.user + b.system) / 1000);
  }
  report(`${label} (CPU time)`, cpu);
}

// Synchronous scenarios: no await in the timed loop. With --cpu, a second
// pass reports the process CPU time per query (all threads, so GC included),
// which other processes on a busy machine do not inflate the way they do
// wall time.
function timeSync(label, run) {
  if (skip(label)) return;
  for (let q = 0; q < 200; q++) run();
  const times = [];
  for (let q = 0; q < queries; q++) {
    const a = performance.now();
    run();
    times.push(performance.now() - a);
  }
  report(label, times);
  if (args.cpu === undefined) return;
  const cpu = [];
  for (let q = 0; q < queries; q++) {
    const a = process.cpuUsage();
    run();
    const b = process.cpuUsage(a);
    cpu.push((b.user + b.system) / 1000);
  }
  report(`${label} (CPU time)`, cpu);
}

const distinct = new Set(history.map((e) => e.itemId)).size;
console.log(`model ${model}; visitor: 200 history events, ${distinct} distinct items`);
timeSync('forYou (engine, loaded shards)', () => forYou(source, history));
timeSync('similar (engine)', () => similar(source, item));
timeSync('boughtTogether (engine, cart of 5)', () => boughtTogether(source.together, cart));

// The public path: recommend() as an instance runs it, on the main thread,
// over the model service the widget part builds (src/startWidgets.ts: the
// model's reader and on-device learning) and a catalogue served by a product
// API (an entry for any id, checked as the SDK checks every entry).
const modelService = () => ({
  ...createModelReader('model/manifest.json', { fetch: fileFetch }),
  train: async (events) => trainLocally(events),
});
const entryOf = (id) => ({ id, title: `Item ${id}`, url: `/p/${id}` });
const catalog = createCatalog(
  (ids) => ids.map(entryOf),
  (e) => console.error(e),
  {
    base: 'https://shop.example/',
  },
);
const catalogue = { get: (id) => catalog.get(id) ?? entryOf(id) };
const host = { events: async () => history, report: (e) => console.error(e) };
const recommend = createRecommender(host, catalog, modelService());
// The engine alone on sources kept across requests: the shop's lists of the
// 12 latest items and the device's, each list one object for good, blended
// once (the floor under the public for-you).
const service = modelService();
// Each list is one object already (`{ ids, scores }` by item id).
const stable = (wire) => ({
  neighbours: (id) => (Object.hasOwn(wire, id) ? wire[id] : undefined),
});
const shopWire = await service.lists(recent.slice(0, 12));
const blended = blendSources(stable(shopWire.similar), stable(await service.train(history)));
const pageRules = { limit: 8, catalog: catalogue, trending: pop, exclude: [] };
timeSync('forYou (blended shop + local, stable sources)', () =>
  forYou(blended, history, pageRules),
);
await time('recommend({type: "for-you"}) (public path)', () =>
  recommend({ type: 'for-you', limit: 10 }),
);
await time('recommend({type: "similar"}) (public path)', () =>
  recommend({ type: 'similar', itemId: item, limit: 10 }),
);
await time('recommend bought-together (public, the cart)', () =>
  recommend({ type: 'bought-together', limit: 10 }),
);

if (args.dump) {
  const out = {
    forYou: forYou(source, history),
    forYou50: forYou(source, history, { limit: 50, maxPerCategory: 3 }),
    forYouAll: forYou(source, history, { limit: 100000, recencyHalfLife: 5, excludeSeen: false }),
    similar: similar(source, item, { limit: 100 }),
    together: boughtTogether(source.together, cart, { limit: 100 }),
    publicForYou: await recommend({ type: 'for-you', limit: 50 }),
    publicSimilar: await recommend({ type: 'similar', itemId: item, limit: 50 }),
    publicTogether: await recommend({ type: 'bought-together', limit: 50 }),
  };
  writeFileSync(args.dump, JSON.stringify(out, null, 1));
  console.log(`wrote ${args.dump}`);
}
