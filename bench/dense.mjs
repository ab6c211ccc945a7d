// Dense algebra (ml-matrix, `denseSimilarity`) against the sparse build
// (`buildNeighbours`) on blocks of a visitor's size: the same cosine lists,
// timed in the same run. ml-matrix is loaded by a dynamic import, so it is in
// no browser bundle of likewise; its own size, bundled alone, is printed too.
// Prints figures; never fails on a slow machine.
//
//   npm run build && node bench/dense.mjs
import { gzipSync } from 'node:zlib';
import commonjs from '@rollup/plugin-commonjs';
import resolve from '@rollup/plugin-node-resolve';
import { rollup } from 'rollup';
import { minify } from 'terser';
import { buildNeighbours, denseSimilarity } from '../dist/likewise.mjs';

/** A seeded log of `items` items: 5 users per item, 5 to 30 items each, popular items likelier. */
function block(items) {
  let seed = items;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const users = [];
  const itemsOf = [];
  for (let u = 0; u < items * 5; u++) {
    const n = 5 + Math.floor(random() * 26);
    for (let x = 0; x < n; x++) {
      users.push(u);
      itemsOf.push(Math.floor(items * random() ** 2));
    }
  }
  const length = users.length;
  return {
    itemIds: Array.from({ length: items }, (_, i) => `sku-${i}`),
    userCount: items * 5,
    users: Uint32Array.from(users),
    items: Uint32Array.from(itemsOf),
    types: new Uint8Array(length),
    times: Float64Array.from({ length }, (_, r) => r + 1),
    length,
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const time = async (f, runs = 5) => {
  const ms = [];
  let out;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    out = await f();
    ms.push(performance.now() - t);
  }
  return [median(ms), out];
};
const same = (a, b) =>
  a.itemIds.length === b.itemIds.length &&
  a.offsets.every((v, i) => v === b.offsets[i]) &&
  a.indices.every((v, i) => v === b.indices[i]) &&
  a.scores.every((v, i) => Math.abs(v - b.scores[i]) < 1e-5);

console.log('items  sparse ms  dense ms  dense/sparse  same lists');
// Dense work grows with users x items^2: the largest block is timed once.
for (const items of [50, 100, 200, 500]) {
  const log = block(items);
  const options = { k: 20, similarity: 'cosine', weights: { view: 1 } };
  const [sparseMs, sparse] = await time(() => buildNeighbours(log, options));
  const [denseMs, dense] = await time(
    () => denseSimilarity(log, { k: 20, weights: { view: 1 } }),
    items >= 500 ? 1 : 5,
  );
  console.log(
    `${String(items).padStart(5)}  ${sparseMs.toFixed(1).padStart(9)}  ${denseMs.toFixed(1).padStart(8)}  ${`${(denseMs / sparseMs).toFixed(1)}x`.padStart(12)}  ${same(sparse, dense) ? 'yes' : 'NO'}`,
  );
}

const bundle = await rollup({
  input: 'ml-matrix',
  plugins: [resolve({ browser: true }), commonjs()],
  onwarn: () => {},
});
const { output } = await bundle.generate({ format: 'es' });
const { code } = await minify(output[0].code, { module: true, compress: { passes: 2 } });
console.log(
  `ml-matrix bundled alone: ${code.length} B min, ${gzipSync(code, { level: 9 }).length} B gzip (in no likewise browser bundle: loaded by denseSimilarity's dynamic import)`,
);
