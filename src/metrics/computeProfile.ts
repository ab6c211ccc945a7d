import type { CatalogItem, EventType, LikewiseEvent } from '../types';

/** How metrics functions find catalogue entries: a lookup function, a Map by id, or an array. */
export type CatalogSource =
  | ((itemId: string) => CatalogItem | undefined)
  | ReadonlyMap<string, CatalogItem>
  | readonly CatalogItem[];

/** The visitor's price band against the shop's prices. */
export type PriceBand = 'budget' | 'mid' | 'premium';

/** A behaviour segment (see {@link computeProfile} for the exact rules). */
export type BehaviourSegment = 'new' | 'browsing' | 'comparing' | 'ready-to-buy';

/** How fast the visitor decides (see {@link computeProfile}). */
export type Pace = 'impulsive' | 'deliberate';

/** One affinity: a category or brand and its share of the visitor's interest. */
export interface Affinity {
  /** The category or brand, as written in the catalogue. */
  value: string;
  /** Share of the positive weight, 0 to 1 (the list's scores sum to at most 1). */
  score: number;
}

/** Prices of the distinct items the visitor looked at. */
export interface PriceProfile {
  /** `null` when the shop's quartiles are unknown. */
  band: PriceBand | null;
  min: number;
  median: number;
  max: number;
  /** Number of distinct priced items behind the figures. */
  count: number;
}

/** What {@link computeProfile} returns: everything stays on the device. */
export interface Profile {
  /** Top categories, best first (ties by name). */
  categories: Affinity[];
  /** Top brands, best first (ties by name). */
  brands: Affinity[];
  price: PriceProfile | null;
  segment: BehaviourSegment;
  /** `null` until the visitor has added something to the cart. */
  pace: Pace | null;
  /** Items currently in the cart (added, not removed or bought, within `cartDays`). */
  cart: string[];
  /** Median minutes from first view of an item to its add-to-cart; `null` without add-to-carts. */
  minutesToCart: number | null;
  /** Distinct items viewed per add-to-cart; `null` without add-to-carts. */
  viewsPerCart: number | null;
  sessions: number;
}

/** Options of {@link computeProfile}. */
export interface ProfileOptions {
  /** "Now" in ms. Default `Date.now()`. */
  now?: number;
  /** An event's weight halves every this many days. Default 14. */
  halfLifeDays?: number;
  /**
   * Weight per event type. Defaults: view 1, click 2, add_to_cart 4,
   * purchase 6, remove_from_cart -2, dismiss -4, search 1.5, impression 0.
   */
  weights?: Partial<Record<EventType, number>>;
  /** Length of the category and brand lists. Default 5. */
  top?: number;
  /**
   * The shop's first and third price quartiles. Default: computed from the
   * catalogue when it is a Map or an array; otherwise `band` is `null`.
   */
  priceQuartiles?: readonly [number, number];
  /** An add-to-cart older than this no longer counts as "in the cart". Default 3. */
  cartDays?: number;
}

const WEIGHTS: Record<EventType, number> = {
  view: 1,
  click: 2,
  add_to_cart: 4,
  purchase: 6,
  remove_from_cart: -2,
  dismiss: -4,
  search: 1.5,
  impression: 0,
};
const DAY = 86_400_000;
const PRODUCT: ReadonlySet<EventType> = new Set(['view', 'click', 'add_to_cart', 'purchase']);

/** Normalises a catalogue source to a lookup plus, when enumerable, the full item list. */
export function catalogLookup(source: CatalogSource): {
  get: (id: string) => CatalogItem | undefined;
  all: readonly CatalogItem[] | null;
} {
  if (typeof source === 'function') return { get: source, all: null };
  if (Array.isArray(source)) {
    const list = source as readonly CatalogItem[];
    const map = new Map(list.map((i) => [i.id, i]));
    return { get: (id) => map.get(id), all: list };
  }
  const map = source as ReadonlyMap<string, CatalogItem>;
  return { get: (id) => map.get(id), all: [...map.values()] };
}

/** Lower-case word tokens (letters and digits of any script), 2 characters or more. */
export function tokens(text: string): string[] {
  return text
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((t) => t.length >= 2);
}

/** Equal, or equal but for one trailing `s` (dramas ~ drama). */
function sameWord(a: string, b: string): boolean {
  return a === b || a === `${b}s` || b === `${a}s`;
}

/** Quantile by linear interpolation between order statistics (R type 7, numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

function topOf(weights: Map<string, number>, n: number): Affinity[] {
  let total = 0;
  for (const w of weights.values()) if (w > 0) total += w;
  return [...weights]
    .filter(([, w]) => w > 0)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, n)
    .map(([value, w]) => ({ value, score: w / total }));
}

function lineIds(e: LikewiseEvent): string[] {
  if (e.items && e.items.length > 0) return e.items.map((l) => l.itemId);
  return e.itemId ? [e.itemId] : [];
}

/**
 * The visitor's profile, computed on the device from their own events:
 * affinities, price band and behaviour segment. Pure: same input, same output.
 *
 * **Affinities.** Every event adds `weight(type) x 0.5^(age / halfLifeDays)`
 * to the category and the brand of each of its items (weights: view 1,
 * click 2, add_to_cart 4, purchase 6, remove_from_cart -2, dismiss -4).
 * A `search` adds 1.5 (decayed) per query token: split evenly over the
 * categories and brands whose name contains that word (a trailing `s`
 * ignored), else evenly over the categories and brands of the items whose
 * title contains it. Names are looked up in the whole catalogue when it is a
 * Map or an array, else among the items in the visitor's events. Scores are
 * shares of the positive weight; only positive ones are listed.
 *
 * **Price.** min, median and max of the prices of the distinct items the
 * visitor viewed, clicked, carted or bought (catalogue price, else the
 * event's). Band: median below the shop's first quartile `budget`, above
 * the third quartile `premium`, else `mid` (quartiles by linear
 * interpolation over the catalogue's prices, or `priceQuartiles`).
 *
 * **Segment**, first rule that holds:
 * 1. `ready-to-buy`: the cart is not empty (an add_to_cart in the last
 *    `cartDays` days, default 3, not followed by a remove_from_cart or a
 *    purchase of that item);
 * 2. `new`: one session at most and fewer than 3 product events (view,
 *    click, add_to_cart, purchase);
 * 3. `comparing`: in the latest session, 3 or more distinct items of one
 *    category were viewed or clicked, or an item viewed in an earlier
 *    session within 7 days was viewed again;
 * 4. `browsing`: anything else.
 *
 * **Pace** (`null` without any add_to_cart): `impulsive` when the median
 * time from the first view (or click) of an item to its add_to_cart is at
 * most 10 minutes (0 when added without a view) and the visitor viewed at
 * most 4 distinct items per add_to_cart; otherwise `deliberate`.
 *
 * @param events - The visitor's events, any order.
 * @param catalog - See {@link CatalogSource}.
 * @param options - See {@link ProfileOptions}.
 * @example
 * const profile = computeProfile(await store.events(), catalogMap);
 * profile.categories[0]; // { value: 'Drama', score: 0.42 }
 */
export function computeProfile(
  events: readonly LikewiseEvent[],
  catalog: CatalogSource,
  options: ProfileOptions = {},
): Profile {
  const now = options.now ?? Date.now();
  const halfLife = (options.halfLifeDays ?? 14) * DAY;
  const weights = { ...WEIGHTS, ...options.weights };
  const top = options.top ?? 5;
  const { get, all } = catalogLookup(catalog);
  const sorted = [...events].sort((a, b) => a.ts - b.ts);

  const cats = new Map<string, number>();
  const brands = new Map<string, number>();
  const add = (map: Map<string, number>, key: string | undefined, w: number) => {
    if (key) map.set(key, (map.get(key) ?? 0) + w);
  };
  const decay = (ts: number) => 0.5 ** (Math.max(0, now - ts) / halfLife);

  // Vocabulary for search matching.
  const known: CatalogItem[] = all ? [...all] : [];
  if (!all) {
    const seen = new Set<string>();
    for (const e of sorted) {
      for (const id of lineIds(e)) {
        const item = seen.has(id) ? undefined : get(id);
        seen.add(id);
        if (item) known.push(item);
      }
    }
  }
  let vocab: { name: string; words: string[]; map: Map<string, number> }[] | null = null;

  const prices = new Map<string, number>();
  const firstSeen = new Map<string, number>();
  const cartAt = new Map<string, number>();
  const delays: number[] = [];
  const sessions = new Set<string>();
  let productEvents = 0;
  let cartAdds = 0;

  for (const e of sorted) {
    sessions.add(e.session);
    const w = (weights[e.type] ?? 0) * decay(e.ts);
    if (e.type === 'search' && e.query && w !== 0) {
      vocab ??= buildVocab(known, cats, brands);
      for (const token of tokens(e.query)) {
        const hits = vocab.filter((v) => v.words.some((word) => sameWord(word, token)));
        if (hits.length === 0) {
          const items = known.filter((i) => tokens(i.title).some((word) => sameWord(word, token)));
          for (const i of items) {
            add(cats, i.category, w / items.length);
            add(brands, i.brand, w / items.length);
          }
          continue;
        }
        for (const h of hits) add(h.map, h.name, w / hits.length);
      }
      continue;
    }
    const lines =
      e.items && e.items.length > 0
        ? e.items
        : e.itemId
          ? [{ itemId: e.itemId, price: e.price }]
          : [];
    if (PRODUCT.has(e.type)) productEvents++;
    for (const line of lines) {
      const item = get(line.itemId);
      add(cats, item?.category, w);
      add(brands, item?.brand, w);
      if (PRODUCT.has(e.type)) {
        const price = item?.price ?? line.price;
        if (typeof price === 'number' && Number.isFinite(price) && !prices.has(line.itemId)) {
          prices.set(line.itemId, price);
        }
      }
      if ((e.type === 'view' || e.type === 'click') && !firstSeen.has(line.itemId))
        firstSeen.set(line.itemId, e.ts);
      if (e.type === 'add_to_cart') {
        cartAdds++;
        delays.push(e.ts - (firstSeen.get(line.itemId) ?? e.ts));
        cartAt.set(line.itemId, e.ts);
      } else if (e.type === 'remove_from_cart' || e.type === 'purchase') {
        cartAt.delete(line.itemId);
      }
    }
  }

  const cartDays = options.cartDays ?? 3;
  const cart = [...cartAt].filter(([, ts]) => now - ts <= cartDays * DAY).map(([id]) => id);

  let price: PriceProfile | null = null;
  if (prices.size > 0) {
    const ps = [...prices.values()].sort((a, b) => a - b);
    const median = quantile(ps, 0.5);
    let q = options.priceQuartiles;
    if (!q && all) {
      const shop = all
        .map((i) => i.price)
        .filter((p): p is number => typeof p === 'number' && Number.isFinite(p))
        .sort((a, b) => a - b);
      if (shop.length > 0) q = [quantile(shop, 0.25), quantile(shop, 0.75)];
    }
    const band: PriceBand | null = !q
      ? null
      : median < q[0]
        ? 'budget'
        : median > q[1]
          ? 'premium'
          : 'mid';
    price = { band, min: ps[0], median, max: ps[ps.length - 1], count: ps.length };
  }

  let segment: BehaviourSegment = 'browsing';
  if (cart.length > 0) segment = 'ready-to-buy';
  else if (sessions.size <= 1 && productEvents < 3) segment = 'new';
  else if (isComparing(sorted, get, now)) segment = 'comparing';

  let pace: Pace | null = null;
  let minutesToCart: number | null = null;
  let viewsPerCart: number | null = null;
  if (cartAdds > 0) {
    const ds = delays.sort((a, b) => a - b);
    minutesToCart = quantile(ds, 0.5) / 60_000;
    viewsPerCart = firstSeen.size / cartAdds;
    pace = minutesToCart <= 10 && viewsPerCart <= 4 ? 'impulsive' : 'deliberate';
  }

  return {
    categories: topOf(cats, top),
    brands: topOf(brands, top),
    price,
    segment,
    pace,
    cart,
    minutesToCart,
    viewsPerCart,
    sessions: sessions.size,
  };
}

function buildVocab(
  known: readonly CatalogItem[],
  cats: Map<string, number>,
  brands: Map<string, number>,
): { name: string; words: string[]; map: Map<string, number> }[] {
  const out: { name: string; words: string[]; map: Map<string, number> }[] = [];
  const seen = new Set<string>();
  for (const i of known) {
    for (const [name, map] of [
      [i.category, cats],
      [i.brand, brands],
    ] as const) {
      const key = `${map === cats ? 'c' : 'b'}:${name}`;
      if (!name || seen.has(key)) continue;
      seen.add(key);
      out.push({ name, words: tokens(name), map });
    }
  }
  return out;
}

function isComparing(
  sorted: readonly LikewiseEvent[],
  get: (id: string) => CatalogItem | undefined,
  now: number,
): boolean {
  if (sorted.length === 0) return false;
  const last = sorted[sorted.length - 1].session;
  const perCategory = new Map<string, Set<string>>();
  const earlier = new Set<string>();
  for (const e of sorted) {
    if ((e.type !== 'view' && e.type !== 'click') || !e.itemId) continue;
    if (e.session !== last) {
      if (now - e.ts <= 7 * DAY) earlier.add(e.itemId);
      continue;
    }
    if (earlier.has(e.itemId)) return true;
    const cat = get(e.itemId)?.category;
    if (!cat) continue;
    const set = perCategory.get(cat) ?? new Set<string>();
    set.add(e.itemId);
    perCategory.set(cat, set);
    if (set.size >= 3) return true;
  }
  return false;
}
