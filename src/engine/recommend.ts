/**
 * The recommendation scenarios as pure functions over a neighbour lookup,
 * with the business rules every widget needs. Nothing here knows where the
 * model lives (memory, shards, device): see {@link NeighbourSource}.
 */
import { LikewiseError } from '../errors';
import type { CatalogItem, EventType, LikewiseEvent, Reason } from '../types';
import { compareIds } from './compareIds';
import { DEFAULT_RECENCY_HALF_LIFE, recencyWeights } from './historyWeights';
import type { NeighbourSource, RankedList } from './neighbourSource';
import { DEFAULT_WEIGHTS } from './userItemMatrix';

/** One recommended item, before it is joined with its catalogue entry. */
export interface ScoredItem {
  id: string;
  /** Higher is better; comparable only within one list. */
  score: number;
  reason: Reason;
}

/** Event types whose co-occurrence makes "bought together" (build with `types: BOUGHT_TOGETHER_TYPES`). */
export const BOUGHT_TOGETHER_TYPES: readonly EventType[] = ['add_to_cart', 'purchase'];

/** Business rules shared by every scenario. */
export interface RecommendRules {
  /** Items returned at most. Default 10. */
  limit?: number;
  /** Items never to return, e.g. those other widgets already show on this page. */
  exclude?: Iterable<string>;
  /** The visitor's events: the cart, purchases and dismissals are read from them. */
  events?: readonly LikewiseEvent[];
  /** Items in the cart (added to what `events` says). Always excluded. */
  cart?: Iterable<string>;
  /** Items already bought (added to what `events` says). */
  purchased?: Iterable<string>;
  /** Exclude already bought items. Default true. */
  excludePurchased?: boolean;
  /** Items the visitor said "not interested" to (added to `events`). Always excluded. */
  dismissed?: Iterable<string>;
  /** The catalogue: items it does not know are never returned, nor out-of-stock ones. */
  catalog?: ReadonlyMap<string, CatalogItem> | ((id: string) => CatalogItem | undefined);
  /** Is the item known to the catalogue? Default: present in `catalog` (all, without one). */
  isKnown?: (id: string) => boolean;
  /** Is the item in stock? Default: `catalog` entry's `inStock !== false`. */
  inStock?: (id: string) => boolean;
  /** Keep only items for which this is true. */
  filter?: (id: string, item: CatalogItem | undefined) => boolean;
  /** Keep only items of this category (or one of these). */
  category?: string | readonly string[];
  /** Keep only items priced at least this (items without a price are dropped). */
  minPrice?: number;
  /** Keep only items priced at most this (items without a price are dropped). */
  maxPrice?: number;
  /** Score multipliers: > 1 boosts, < 1 buries, 0 removes. By id or by function. */
  boost?:
    | Readonly<Record<string, number>>
    | ((id: string, item: CatalogItem | undefined) => number);
  /** At most this many items of one category (diversity). Default: no limit. */
  maxPerCategory?: number;
  /** Popularity list used to fill up a list with too few results (and by `trending`). */
  trending?: RankedList;
}

/** The visitor's state as read from events: what to exclude. */
export interface VisitorState {
  cart: Set<string>;
  purchased: Set<string>;
  dismissed: Set<string>;
}

/**
 * Reads the cart (added and not removed since), purchases and dismissals
 * from a visitor's events, in time order.
 */
export function visitorState(events: readonly LikewiseEvent[] = []): VisitorState {
  const state: VisitorState = { cart: new Set(), purchased: new Set(), dismissed: new Set() };
  const sorted = [...events].sort((a, b) => a.ts - b.ts);
  for (const e of sorted) {
    const ids = e.items ? e.items.map((l) => l.itemId) : [];
    if (e.itemId !== undefined) ids.push(e.itemId);
    for (const id of ids) {
      if (e.type === 'add_to_cart') state.cart.add(id);
      else if (e.type === 'remove_from_cart') state.cart.delete(id);
      else if (e.type === 'purchase') {
        state.purchased.add(id);
        state.cart.delete(id);
      } else if (e.type === 'dismiss') state.dismissed.add(id);
    }
  }
  return state;
}

interface Candidate {
  score: number;
  reason: Reason;
}

function checkLimit(limit: number | undefined): number {
  const n = limit ?? 10;
  if (!(Number.isInteger(n) && n >= 0))
    throw new LikewiseError(
      'INVALID_OPTION',
      `limit must be an integer >= 0, got ${String(limit)}`,
    );
  return n;
}

/**
 * Applies the rules to scored candidates: filters, boosts, sorts (ties by
 * id), caps per category, and fills up from `rules.trending` when short.
 */
function finish(
  candidates: Map<string, Candidate>,
  anchors: readonly string[],
  rules: RecommendRules,
): ScoredItem[] {
  const limit = checkLimit(rules.limit);
  const state = visitorState(rules.events);
  const banned = new Set<string>(anchors);
  for (const id of rules.exclude ?? []) banned.add(id);
  for (const id of rules.cart ?? []) banned.add(id);
  for (const id of state.cart) banned.add(id);
  for (const id of rules.dismissed ?? []) banned.add(id);
  for (const id of state.dismissed) banned.add(id);
  if (rules.excludePurchased !== false) {
    for (const id of rules.purchased ?? []) banned.add(id);
    for (const id of state.purchased) banned.add(id);
  }
  const { catalog } = rules;
  const lookup = (id: string): CatalogItem | undefined =>
    catalog === undefined
      ? undefined
      : typeof catalog === 'function'
        ? catalog(id)
        : catalog.get(id);
  const categories =
    rules.category === undefined
      ? undefined
      : new Set(typeof rules.category === 'string' ? [rules.category] : rules.category);
  const { boost } = rules;
  // The multiplier, or -1 when a rule drops the item.
  const admit = (id: string): number => {
    if (banned.has(id)) return -1;
    const item = lookup(id);
    if (rules.isKnown ? !rules.isKnown(id) : catalog !== undefined && item === undefined) return -1;
    if (rules.inStock ? !rules.inStock(id) : item?.inStock === false) return -1;
    if (categories && (item?.category === undefined || !categories.has(item.category))) return -1;
    if (
      rules.minPrice !== undefined &&
      !(item?.price !== undefined && item.price >= rules.minPrice)
    )
      return -1;
    if (
      rules.maxPrice !== undefined &&
      !(item?.price !== undefined && item.price <= rules.maxPrice)
    )
      return -1;
    if (rules.filter && !rules.filter(id, item)) return -1;
    const m =
      boost === undefined ? 1 : typeof boost === 'function' ? boost(id, item) : (boost[id] ?? 1);
    return m > 0 && Number.isFinite(m) ? m : -1;
  };
  const perCategory = new Map<string, number>();
  const maxPer = rules.maxPerCategory ?? Number.POSITIVE_INFINITY;
  const out: ScoredItem[] = [];
  const taken = new Set<string>();
  const take = (id: string, score: number, reason: Reason): void => {
    const category = lookup(id)?.category;
    if (category !== undefined) {
      const n = perCategory.get(category) ?? 0;
      if (n >= maxPer) return;
      perCategory.set(category, n + 1);
    }
    taken.add(id);
    out.push({ id, score, reason });
  };
  const ranked: ScoredItem[] = [];
  for (const [id, c] of candidates) {
    const m = admit(id);
    if (m > 0 && c.score > 0) ranked.push({ id, score: c.score * m, reason: c.reason });
  }
  ranked.sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
  for (const r of ranked) {
    if (out.length >= limit) break;
    take(r.id, r.score, r.reason);
  }
  const { trending } = rules;
  if (out.length < limit && trending) {
    // Fallback items rank after the model's: halving scores below the last one.
    const floor = out.length ? out[out.length - 1].score : 1;
    const fill: ScoredItem[] = [];
    for (let x = 0; x < trending.ids.length; x++) {
      const id = trending.ids[x];
      if (taken.has(id)) continue;
      const m = admit(id);
      const s = trending.scores[x];
      if (m > 0 && s > 0) fill.push({ id, score: s * m, reason: { kind: 'trending' } });
    }
    fill.sort((a, b) => b.score - a.score || compareIds(a.id, b.id));
    let scale = floor / 2;
    for (const f of fill) {
      if (out.length >= limit) break;
      take(f.id, scale, f.reason);
      scale /= 2;
    }
  }
  return out;
}

/** Adds `weight * list` into `into`, remembering each item's biggest contributor. */
function accumulate(
  into: Map<string, Candidate & { best: number }>,
  list: RankedList,
  weight: number,
  reason: (best: string) => Reason,
  from: string,
): void {
  for (let x = 0; x < list.ids.length; x++) {
    const contribution = weight * list.scores[x];
    if (!(contribution > 0)) continue;
    const id = list.ids[x];
    const c = into.get(id);
    if (!c) into.set(id, { score: contribution, best: contribution, reason: reason(from) });
    else {
      c.score += contribution;
      if (
        contribution > c.best ||
        (contribution === c.best && compareIds(from, c.reason.itemId ?? '') < 0)
      ) {
        c.best = contribution;
        c.reason = reason(from);
      }
    }
  }
}

/**
 * Items like `itemId` ("similar items"), best first.
 *
 * @example similar(source, 'sku-1', { limit: 8, catalog, trending })
 */
export function similar(
  source: NeighbourSource,
  itemId: string,
  rules: RecommendRules = {},
): ScoredItem[] {
  const candidates = new Map<string, Candidate & { best: number }>();
  const list = source.neighbours(itemId);
  if (list) accumulate(candidates, list, 1, (from) => ({ kind: 'similar', itemId: from }), itemId);
  return finish(candidates, [itemId], rules);
}

/**
 * Items bought together with one product or with the whole cart. `source`
 * must be built from add_to_cart/purchase co-occurrence only (build with
 * `types: BOUGHT_TOGETHER_TYPES`).
 *
 * @example boughtTogether(togetherSource, cartIds, { catalog })
 */
export function boughtTogether(
  source: NeighbourSource,
  itemIds: string | readonly string[],
  rules: RecommendRules = {},
): ScoredItem[] {
  const anchors = typeof itemIds === 'string' ? [itemIds] : [...itemIds];
  const candidates = new Map<string, Candidate & { best: number }>();
  for (const anchor of [...anchors].sort(compareIds)) {
    const list = source.neighbours(anchor);
    if (list)
      accumulate(candidates, list, 1, (from) => ({ kind: 'together', itemId: from }), anchor);
  }
  return finish(candidates, anchors, rules);
}

/** Options of {@link forYou}: the rules plus how the history counts. */
export interface ForYouOptions extends RecommendRules {
  /** History weight halves every this many items back. Default 1 (the offline-best setting). */
  recencyHalfLife?: number;
  /** Weight per event type of history events. Default `DEFAULT_WEIGHTS`. */
  weights?: Partial<Record<EventType, number>>;
  /** Most recent history items used. Default 50. */
  maxHistory?: number;
  /** Exclude items already in the history. Default true. */
  excludeSeen?: boolean;
}

interface HistoryItem {
  id: string;
  ts: number;
  type: EventType;
  weight: number;
}

/** The visitor's distinct items, latest first, each with its strongest event type. */
function history(
  events: readonly LikewiseEvent[],
  weights: Partial<Record<EventType, number>>,
): HistoryItem[] {
  const byId = new Map<string, HistoryItem>();
  for (const e of events) {
    const w = weights[e.type] ?? DEFAULT_WEIGHTS[e.type];
    if (!(w > 0)) continue;
    const ids = e.items ? e.items.map((l) => l.itemId) : [];
    if (e.itemId !== undefined) ids.push(e.itemId);
    for (const id of ids) {
      const h = byId.get(id);
      if (!h) byId.set(id, { id, ts: e.ts, type: e.type, weight: w });
      else {
        h.ts = Math.max(h.ts, e.ts);
        if (w > h.weight) {
          h.weight = w;
          h.type = e.type;
        }
      }
    }
  }
  return [...byId.values()].sort((a, b) => b.ts - a.ts || compareIds(a.id, b.id));
}

/**
 * Personal recommendations from the visitor's history: each history item
 * passes its neighbours on, weighted by its event type and its recency, and
 * the reason names the item that contributed most ("because you viewed X").
 *
 * @example forYou(blendSources(shop, local), events, { catalog, trending })
 */
export function forYou(
  source: NeighbourSource,
  events: readonly LikewiseEvent[],
  options: ForYouOptions = {},
): ScoredItem[] {
  const all = history(events, options.weights ?? {});
  const items = all.slice(0, options.maxHistory ?? 50);
  const times = Float64Array.from(items, (h) => h.ts);
  const recency = new Float64Array(items.length);
  recencyWeights(
    times,
    items.length,
    options.recencyHalfLife ?? DEFAULT_RECENCY_HALF_LIFE,
    recency,
    new Uint32Array(items.length),
  );
  const candidates = new Map<string, Candidate & { best: number }>();
  const via = new Map(items.map((h) => [h.id, h.type]));
  items.forEach((h, x) => {
    const list = source.neighbours(h.id);
    if (list)
      accumulate(
        candidates,
        list,
        recency[x] * h.weight,
        (from) => ({ kind: 'history', itemId: from, via: via.get(from) }),
        h.id,
      );
  });
  const seen = options.excludeSeen === false ? [] : all.map((h) => h.id);
  return finish(candidates, seen, { ...options, events: options.events ?? events });
}

/**
 * The visitor's recently viewed items (view, click, add to cart, purchase),
 * latest first, including items now in the cart, bought or out of stock.
 *
 * @param currentItemId the page's own item, left out.
 */
export function recentlyViewed(
  events: readonly LikewiseEvent[],
  rules: RecommendRules & { currentItemId?: string } = {},
): ScoredItem[] {
  const items = history(events, {});
  const candidates = new Map<string, Candidate>();
  items.forEach((h, x) => {
    // Strictly decreasing scores keep the time order through the sort.
    candidates.set(h.id, {
      score: 1 / (1 + x),
      reason: { kind: 'recent', itemId: h.id, via: h.type },
    });
  });
  const anchors = rules.currentItemId === undefined ? [] : [rules.currentItemId];
  // The visitor's own history is shown whole: items in the cart, bought or
  // out of stock were still viewed (only dismissals and the page item go).
  const { dismissed } = visitorState(rules.events ?? events);
  return finish(candidates, anchors, {
    ...rules,
    events: [],
    dismissed: [...(rules.dismissed ?? []), ...dismissed],
    excludePurchased: false,
    inStock: rules.inStock ?? (() => true),
    trending: undefined,
  });
}

/**
 * Popular items now (see `buildPopularity`), after the rules.
 *
 * @example trending({ ids: log.itemIds, scores: buildPopularity(log, { halfLifeDays: 7 }) }, { limit: 8 })
 */
export function trending(
  popularity: RankedList,
  rules: RecommendRules & { currentItemId?: string } = {},
): ScoredItem[] {
  const candidates = new Map<string, Candidate>();
  for (let x = 0; x < popularity.ids.length; x++) {
    const s = popularity.scores[x];
    if (s > 0) candidates.set(popularity.ids[x], { score: s, reason: { kind: 'trending' } });
  }
  const anchors = rules.currentItemId === undefined ? [] : [rules.currentItemId];
  return finish(candidates, anchors, { ...rules, trending: undefined });
}
