#!/usr/bin/env node
// Seeded generator of a shop of realistic size: a catalogue (ids, titles,
// prices, categories, brands, image and product URLs; a few out of stock)
// and an event log over the same ids (bench/synthetic.mjs: power-law
// popularity, users with a favourite category), then the model and its
// catalogue shards built by the CLI (`likewise train`, `likewise catalog`).
// Everything goes into a gitignored folder.
//
//   npm run build && node bench/generateBigShop.mjs [--items 100000] [--events 2000000] [--seed 42] [--out .bench/bigshop]
//
// Writes <out>/catalog.json (a JSON array, what `data-catalog` loads whole),
// <out>/events.csv and <out>/model/ (manifest, model shards, catalogue shards).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate as generateEvents, parseArgs, rng } from './synthetic.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const ADJECTIVES = [
  'Classic',
  'Compact',
  'Deluxe',
  'Everyday',
  'Light',
  'Modern',
  'Organic',
  'Pro',
  'Rugged',
  'Slim',
  'Smart',
  'Soft',
  'Vintage',
  'Wireless',
];
const NOUNS = [
  'Backpack',
  'Blender',
  'Boots',
  'Camera',
  'Chair',
  'Desk Lamp',
  'Headphones',
  'Jacket',
  'Kettle',
  'Mug',
  'Notebook',
  'Running Shoes',
  'Speaker',
  'Sunglasses',
  'Tent',
  'Watch',
];
const DEPARTMENTS = [
  'Home',
  'Outdoor',
  'Fashion',
  'Electronics',
  'Kitchen',
  'Office',
  'Sports',
  'Garden',
];
const BRANDS = [
  'Acme',
  'Borealis',
  'Cobalt',
  'Dune',
  'Ember',
  'Fjord',
  'Granite',
  'Harbor',
  'Iris',
  'Juniper',
];

/**
 * The catalogue entries of items `i0` .. `i<items - 1>`, the ids of
 * bench/synthetic.mjs; its categories are the log's (blocks of up to 100
 * consecutive items).
 *
 * @param {{ items: number, seed?: number, origin?: string }} options
 */
export function bigShopCatalog({ items, seed = 42, origin = '' }) {
  const random = rng(seed ^ 0x5eed);
  const categorySize = Math.max(1, Math.min(100, Math.floor(items / 20)));
  const pick = (list) => list[Math.floor(random() * list.length)];
  const out = new Array(items);
  for (let i = 0; i < items; i++) {
    const c = Math.floor(i / categorySize);
    const entry = {
      id: `i${i}`,
      title: `${pick(ADJECTIVES)} ${pick(NOUNS)} ${100 + Math.floor(random() * 900)}`,
      url: `${origin}/product.html?id=i${i}`,
      image: `${origin}/img/${c}/i${i}.jpg`,
      price: Math.round((5 + random() * 495) * 100) / 100,
      currency: 'EUR',
      category: `${DEPARTMENTS[c % DEPARTMENTS.length]} > Range ${c}`,
      brand: pick(BRANDS),
    };
    if (random() < 0.03) entry.inStock = false;
    out[i] = entry;
  }
  return out;
}

/**
 * Writes the shop into `out` (catalogue, events, model with its catalogue
 * shards), unless the same shop is there already. Needs the built CLI.
 *
 * @param {{ items?: number, events?: number, users?: number, seed?: number, out: string, log?: (line: string) => void }} options
 * @returns {Promise<{ dir: string, items: number, events: number }>}
 */
export async function generateBigShop(options) {
  const items = options.items ?? 100_000;
  const events = options.events ?? 2_000_000;
  const users = options.users ?? Math.max(100, Math.round(events / 10));
  const seed = options.seed ?? 42;
  const dir = resolve(options.out);
  const log = options.log ?? (() => {});
  // The shop is made again when what makes it changes: the generators, or the
  // model's file formats (the writers in src/model), so no stale files are served.
  const model = join(ROOT, 'src', 'model');
  const makers = [
    fileURLToPath(import.meta.url),
    join(ROOT, 'bench', 'synthetic.mjs'),
    ...readdirSync(model)
      .filter((f) => /^(encode\w+|\w+Format)\.ts$/.test(f))
      .sort()
      .map((f) => join(model, f)),
  ];
  const hash = createHash('sha256');
  for (const f of makers) hash.update(f.slice(ROOT.length)).update(readFileSync(f));
  const stamp = JSON.stringify({ items, events, users, seed, makers: hash.digest('hex') });
  const stampFile = join(dir, 'shop.json');
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp)
    return { dir, items, events };
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'catalog.json'), JSON.stringify(bigShopCatalog({ items, seed })));
  log(`catalog.json: ${items} items`);
  await generateEvents({ events, users, items, bots: 0, seed, out: join(dir, 'events.csv') });
  log(`events.csv: ${events} events`);
  const cli = (...args) => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'likewise.mjs'), ...args], {
      cwd: dir,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`likewise ${args.join(' ')}: ${r.stderr}`);
    log(r.stdout.trim());
  };
  cli('train', '--events', 'events.csv', '--out', 'model');
  cli('catalog', '--catalog', 'catalog.json', '--out', 'model');
  writeFileSync(stampFile, stamp);
  return { dir, items, events };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const t0 = performance.now();
  const shop = await generateBigShop({
    ...args,
    out: args.out ?? '.bench/bigshop',
    log: console.log,
  });
  console.log(`wrote ${shop.dir} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
