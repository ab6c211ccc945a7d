#!/usr/bin/env node
// Does storing scores as 8-bit (or 16-bit) fractions of each list's max
// change recommendations? Leave-last-out on a log (EVAL.md protocol steps
// 1-3), neighbours built with the SDK defaults, then every user scored with
// the float model and with the model after encodeModel -> decodeShard:
// HR@10 and NDCG@10 of each, and how many top-10 lists differ.
//
//   node bench/quantisation.mjs --events ../shared/data/ml-100k/events.csv
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const at = process.argv.indexOf('--events');
if (at < 0) {
  console.error('usage: node bench/quantisation.mjs --events FILE');
  process.exit(2);
}
const events = resolve(process.argv[at + 1]);
const bench = join(root, '.bench');
mkdirSync(bench, { recursive: true });
const entry = join(bench, 'quantisation-entry.ts');
const src = (p) => JSON.stringify(join(root, 'src', p));
writeFileSync(
  entry,
  `export { readEvents } from ${src('cli/readEvents.ts')};\n` +
    `export { splitLeaveLastOut } from ${src('engine/evaluate.ts')};\n` +
    `export { buildNeighbours } from ${src('engine/buildNeighbours.ts')};\n` +
    `export { encodeModel } from ${src('model/encodeModel.ts')};\n` +
    `export { decodeShard } from ${src('model/decodeModel.ts')};\n`,
);
const bundle = join(bench, 'quantisation-entry.mjs');
const { build } = await import('rolldown');
await build({ input: entry, platform: 'node', output: { file: bundle }, logLevel: 'silent' });
const { readEvents, splitLeaveLastOut, buildNeighbours, encodeModel, decodeShard } = await import(
  pathToFileURL(bundle).href
);
await rm(bundle, { force: true });

const log = await readEvents(events);
const split = splitLeaveLastOut(log);
const nb = buildNeighbours(split.train, { k: 50 });
const itemCount = log.itemIds.length;

/** The neighbours after a round trip through the model files. */
function roundTrip(scoreBits) {
  const { manifest, files } = encodeModel(
    { neighbours: nb, k: 50, similarity: 'cosine' },
    { scoreBits },
  );
  const index = new Map(log.itemIds.map((id, i) => [id, i]));
  const scores = new Float32Array(nb.scores.length);
  Array.from({ length: manifest.shards }, (_, s) => `${manifest.dir}${s}.json`).forEach(
    (name, s) => {
      const shard = decodeShard(files.find((f) => f.name === name).bytes, manifest, s);
      for (const [id, [list]] of shard) {
        const i = index.get(id);
        for (let p = 0; p < list.ids.length; p++) {
          const at = nb.offsets[i] + p;
          if (log.itemIds[nb.indices[at]] !== list.ids[p]) throw new Error('order changed');
          scores[at] = list.scores[p];
        }
      }
    },
  );
  return { ...nb, scores };
}

/** Top 10 of every user: sum of similarities to their training items, seen items out, ties by index. */
function topLists(model) {
  const { users, items, length } = split.train;
  const userCount = split.testItems.length;
  const start = new Uint32Array(userCount + 1);
  for (let r = 0; r < length; r++) start[users[r] + 1]++;
  for (let u = 0; u < userCount; u++) start[u + 1] += start[u];
  const hist = new Uint32Array(length);
  const fill = start.slice(0, userCount);
  for (let r = 0; r < length; r++) hist[fill[users[r]]++] = items[r];
  const acc = new Float64Array(itemCount);
  const seen = new Int32Array(itemCount).fill(-1);
  const lists = [];
  for (let u = 0; u < userCount; u++) {
    const touched = [];
    for (let q = start[u]; q < start[u + 1]; q++) seen[hist[q]] = u;
    for (let q = start[u]; q < start[u + 1]; q++) {
      const h = hist[q];
      for (let p = model.offsets[h]; p < model.offsets[h + 1]; p++) {
        const j = model.indices[p];
        if (acc[j] === 0) touched.push(j);
        acc[j] += model.scores[p];
      }
    }
    const cand = touched.filter((j) => seen[j] !== u && split.inCatalogue[j]);
    cand.sort((a, b) => acc[b] - acc[a] || a - b);
    lists.push(cand.slice(0, 10));
    for (const j of touched) acc[j] = 0;
  }
  return lists;
}

function metrics(lists) {
  let hr = 0;
  let ndcg = 0;
  lists.forEach((list, u) => {
    const r = list.indexOf(split.testItems[u]);
    if (r >= 0) {
      hr++;
      ndcg += 1 / Math.log2(r + 2);
    }
  });
  return { hr: hr / lists.length, ndcg: ndcg / lists.length };
}

const base = topLists(nb);
const m0 = metrics(base);
console.log(
  `${events}: ${base.length} users, float32 HR@10 ${m0.hr.toFixed(4)} NDCG@10 ${m0.ndcg.toFixed(4)}`,
);
for (const bits of [8, 16]) {
  const lists = topLists(roundTrip(bits));
  const m = metrics(lists);
  let differ = 0;
  let sameSet = 0;
  lists.forEach((l, u) => {
    if (l.join() !== base[u].join()) differ++;
    const b = new Set(base[u]);
    sameSet += l.filter((x) => b.has(x)).length / Math.max(1, base[u].length);
  });
  console.log(
    `${String(bits).padStart(2)}-bit: HR@10 ${m.hr.toFixed(4)} NDCG@10 ${m.ndcg.toFixed(4)}; ` +
      `top-10 order differs for ${((differ / lists.length) * 100).toFixed(1)}% of users, ` +
      `mean top-10 overlap ${((sameSet / lists.length) * 100).toFixed(2)}%`,
  );
}
