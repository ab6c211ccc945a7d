// `npm run bench`: every figure the README quotes, each printed by the
// script that measures it. Benchmarks are not tests: nothing here fails on
// a slow machine. Pass --quick to skip the 10-million-event training run.
import { spawnSync } from 'node:child_process';

const quick = process.argv.includes('--quick');
const steps = [
  ['bundle sizes (gzip)', ['scripts/sizes.mjs']],
  [
    'first widget and longest likewise main-thread task (headless Chromium, demo home)',
    ['bench/browser.mjs'],
  ],
  [
    '100,000-item shop: bytes, longest task, first widget, waterfall (headless Chromium)',
    ['bench/bigshop.mjs', '--waterfall', ...(quick ? ['--runs', '1'] : [])],
  ],
  ['tracking throughput', ['bench/track.mjs', '5000']],
  ['collector under a concurrent flood and kill -9 (loopback)', ['bench/collect.mjs']],
  [
    'property tests at 10,000 cases each (fast-check)',
    ['bench/fuzz.mjs', quick ? '1000' : '10000'],
  ],
  [
    'recommendation quality and speed vs the reference, and the tuner (ml-100k, Ta-Feng, Diginetica sample, the demo log)',
    ['bench/eval.mjs'],
  ],
  ['the sequence similarity build per pair against cosine', ['bench/sequence.mjs']],
  ['dense algebra (ml-matrix) against the sparse build, visitor-sized blocks', ['bench/dense.mjs']],
  [
    'likewise train at scale (synthetic power-law log) and for-you query latency',
    ['bench/train.mjs', ...(quick ? ['--events', '1000000'] : [])],
  ],
  [
    'likewise recommend batch throughput on that model',
    ['bench/recommend.mjs', ...(quick ? ['--events', '1000000'] : [])],
  ],
];
for (const [title, args] of steps) {
  console.log(`\n== ${title}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  if (r.status !== 0) console.log(`(${args[0]} exited ${r.status})`);
}
