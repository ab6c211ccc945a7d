#!/usr/bin/env node
// Seeded generator of a power-law shop event log in the EVAL.md CSV format
// (`user,item,timestamp,type`, unix seconds). Items are grouped into
// categories and every user has a favourite one, so item-item similarity has
// real structure to find; item popularity and user activity are Zipf-like,
// and a few "bots" have giant histories.
//
//   node bench/synthetic.mjs [--events 10000000] [--users 1000000] [--items 100000]
//                            [--bots 5] [--seed 42] [--out .bench/events-10000000.csv]
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Small, fast, seeded PRNG (mulberry32). */
export function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Cumulative Zipf weights 1/(rank+1)^s over n ranks, normalised to 1. */
function zipfCdf(n, s) {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let i = 0; i < n; i++) {
    sum += 1 / (i + 1) ** s;
    cdf[i] = sum;
  }
  for (let i = 0; i < n; i++) cdf[i] /= sum;
  return cdf;
}

function sample(cdf, u) {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid] < u) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Writes the log to `out` and resolves when it is flushed.
 * @param {{events?: number, users?: number, items?: number, bots?: number, seed?: number, out: string}} options
 */
export async function generate(options) {
  const events = options.events ?? 10_000_000;
  const users = options.users ?? 1_000_000;
  const items = options.items ?? 100_000;
  const bots = options.bots ?? 5;
  const random = rng(options.seed ?? 42);
  const categorySize = Math.max(1, Math.min(100, Math.floor(items / 20)));
  const categories = Math.ceil(items / categorySize);
  // Popularity rank -> item id, shuffled so ids do not encode popularity.
  const itemOfRank = new Uint32Array(items);
  for (let i = 0; i < items; i++) itemOfRank[i] = i;
  for (let i = items - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = itemOfRank[i];
    itemOfRank[i] = itemOfRank[j];
    itemOfRank[j] = t;
  }
  const itemCdf = zipfCdf(items, 0.9);
  const inCategoryCdf = zipfCdf(categorySize, 1.0);
  // s = 0.5: the most active person has a few thousand events; only bots have tens of thousands.
  const userCdf = zipfCdf(users, 0.5);
  const taste = new Uint32Array(users);
  for (let u = 0; u < users; u++) taste[u] = Math.floor(random() * categories);
  const botShare = bots > 0 ? Math.min(0.01, 200_000 / Math.max(events, 1)) : 0;

  mkdirSync(dirname(resolve(options.out)), { recursive: true });
  const stream = createWriteStream(options.out);
  const write = (text) =>
    stream.write(text) ? Promise.resolve() : new Promise((r) => stream.once('drain', r));
  await write('user,item,timestamp,type\n');
  const start = 1_700_000_000;
  const span = 90 * 86_400;
  let chunk = '';
  for (let e = 0; e < events; e++) {
    let user;
    let item;
    const r = random();
    if (r < botShare) {
      // Bots crawl the catalogue uniformly.
      user = users + Math.floor(random() * bots);
      item = Math.floor(random() * items);
    } else {
      user = sample(userCdf, random());
      if (random() < 0.7) {
        const base = taste[user] * categorySize;
        item = Math.min(items - 1, base + sample(inCategoryCdf, random()));
      } else {
        item = itemOfRank[sample(itemCdf, random())];
      }
    }
    const t = random();
    const type =
      t < 0.8
        ? 'view'
        : t < 0.88
          ? 'click'
          : t < 0.95
            ? 'add_to_cart'
            : t < 0.96
              ? 'remove_from_cart'
              : 'purchase';
    const ts = start + Math.floor((e / events) * span);
    chunk += `u${user},i${item},${ts},${type}\n`;
    if (chunk.length > 1 << 20) {
      await write(chunk);
      chunk = '';
    }
  }
  await write(chunk);
  await new Promise((r, j) => stream.end((error) => (error ? j(error) : r())));
}

/** `--name value` pairs as numbers (`--out` as a path). */
export function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const key = argv[i].replace(/^--/, '');
    out[key] = key === 'out' ? argv[i + 1] : Number(argv[i + 1]);
  }
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const events = args.events ?? 10_000_000;
  const out = args.out ?? `.bench/events-${events}.csv`;
  const t0 = performance.now();
  await generate({ ...args, events, out });
  console.log(
    `wrote ${out} (${events} events) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}
