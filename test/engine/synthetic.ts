/**
 * A seeded, shop-like synthetic event log (for tests and the benchmark: the
 * real data sets may not be copied into the repo). Items belong to
 * categories with Zipf popularity; each user has a few favourite categories
 * and browses in sessions that drift between neighbouring items of a
 * category, sometimes carting and buying.
 */
import { EVENT_TYPE_CODES, type InteractionLog } from '../../src/engine/types';
import type { EventType } from '../../src/types';

/** Options of {@link syntheticLog}. */
export interface SyntheticOptions {
  users?: number;
  items?: number;
  categories?: number;
  sessionsPerUser?: number;
  eventsPerSession?: number;
  seed?: number;
}

/** mulberry32: a tiny deterministic PRNG. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Generates the log; item ids are `sku-<n>`, times in ms. */
export function syntheticLog(
  options: SyntheticOptions = {},
): InteractionLog & { userIds: string[] } {
  const users = options.users ?? 500;
  const items = options.items ?? 400;
  const categories = options.categories ?? 20;
  const sessions = options.sessionsPerUser ?? 4;
  const perSession = options.eventsPerSession ?? 6;
  const random = rng(options.seed ?? 1);
  const itemIds = Array.from({ length: items }, (_, i) => `sku-${i}`);
  const perCat = Math.ceil(items / categories);
  const code = (t: EventType) => EVENT_TYPE_CODES.indexOf(t);
  const rowsU: number[] = [];
  const rowsI: number[] = [];
  const rowsT: number[] = [];
  const rowsY: number[] = [];
  // Zipf-like pick inside a category: low offsets are popular.
  const pickIn = (c: number) => {
    const off = Math.min(perCat - 1, Math.floor(perCat * random() ** 2.5));
    return Math.min(items - 1, c * perCat + off);
  };
  for (let u = 0; u < users; u++) {
    const favs = [Math.floor(random() * categories), Math.floor(random() * categories)];
    let t = 1_600_000_000_000 + Math.floor(random() * 30) * 86_400_000;
    const n = 1 + Math.floor(random() * sessions * 2);
    for (let s = 0; s < n; s++) {
      const c = random() < 0.8 ? favs[Math.floor(random() * 2)] : Math.floor(random() * categories);
      let item = pickIn(c);
      const len = 1 + Math.floor(random() * perSession * 2);
      for (let e = 0; e < len; e++) {
        const r = random();
        const type: EventType =
          r < 0.7 ? 'view' : r < 0.85 ? 'click' : r < 0.95 ? 'add_to_cart' : 'purchase';
        rowsU.push(u);
        rowsI.push(item);
        rowsT.push(t);
        rowsY.push(code(type));
        t += 1000 * (5 + Math.floor(random() * 120));
        // Drift to a nearby item of the same category (sequential structure).
        const step = Math.floor(random() * 5) - 2;
        const base = Math.floor(item / perCat) * perCat;
        item =
          random() < 0.3
            ? pickIn(Math.floor(item / perCat))
            : base + ((item - base + step + perCat) % perCat);
        item = Math.min(items - 1, item);
      }
      t += 86_400_000 * (1 + Math.floor(random() * 7));
    }
  }
  return {
    itemIds,
    userIds: Array.from({ length: users }, (_, u) => `u${u}`),
    userCount: users,
    users: Uint32Array.from(rowsU),
    items: Uint32Array.from(rowsI),
    types: Uint8Array.from(rowsY),
    times: Float64Array.from(rowsT),
    length: rowsU.length,
  };
}
