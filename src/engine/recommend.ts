/**
 * The recommendation scenarios as pure functions over a neighbour lookup,
 * with the business rules every widget needs. Nothing here knows where the
 * model lives (memory, shards, device): see {@link NeighbourSource}.
 *
 * A page asks for a list per widget, each over thousands of candidate
 * neighbours: scores are summed into flat arrays kept per source, and only
 * the best few candidates are put in order, the rules running on those.
 */
import { LikewiseError } from '../errors';
import type { CatalogItem, EventType, LikewiseEvent, Reason } from '../types';
import { compareIds } from './compareIds';
import { DEFAULT_RECENCY_HALF_LIFE } from './historyWeights';
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

/** The `x`-th item an event is about (its lines', then its own), for `x` up to its line count. */
const itemAt = (e: LikewiseEvent, x: number): string | undefined =>
  e.items && x < e.items.length ? e.items[x].itemId : e.itemId;

/**
 * Reads the cart (added and not removed since), purchases and dismissals
 * from a visitor's events, in time order.
 */
export function visitorState(events: readonly LikewiseEvent[] = []): VisitorState {
  const state: VisitorState = { cart: new Set(), purchased: new Set(), dismissed: new Set() };
  // In time order (a stable sort: events of one moment keep theirs).
  for (const e of [...events].sort((a, b) => a.ts - b.ts))
    for (let x = 0; x <= (e.items?.length ?? 0); x++) {
      const id = itemAt(e, x);
      if (id === undefined) continue;
      if (e.type === 'add_to_cart') state.cart.add(id);
      else if (e.type === 'remove_from_cart') state.cart.delete(id);
      else if (e.type === 'purchase') {
        state.purchased.add(id);
        state.cart.delete(id);
      } else if (e.type === 'dismiss') state.dismissed.add(id);
    }
  return state;
}

/**
 * Applies the rules to the candidates `x` < `n` (`ids[x]`, scored
 * `scores[x]`): filters (`seen` and the rules' exclusions), boosts, ranks
 * (ties by id), caps per category, and fills up from `rules.trending`.
 */
function finish(
  ids: readonly string[],
  scores: ArrayLike<number>,
  n: number,
  reason: (x: number) => Reason,
  seen: { has(id: string): boolean },
  rules: RecommendRules,
  events = rules.events,
): ScoredItem[] {
  const limit = rules.limit ?? 10;
  const { cart, dismissed, purchased } = visitorState(events);
  const bought = rules.excludePurchased !== false;
  const banned = new Set([
    ...(rules.exclude ?? []),
    ...(rules.cart ?? []),
    ...(rules.dismissed ?? []),
    ...((bought && rules.purchased) || []),
  ]);
  const { catalog, boost, maxPerCategory } = rules;
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
  // The multiplier, or -1 when a rule drops the item.
  const admit = (id: string): number => {
    if (
      seen.has(id) ||
      banned.has(id) ||
      cart.has(id) ||
      dismissed.has(id) ||
      (bought && purchased.has(id))
    )
      return -1;
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
      boost === undefined
        ? 1
        : typeof boost === 'function'
          ? boost(id, item)
          : // Own keys only: an item may be called `constructor`.
            ((Object.hasOwn(boost, id) ? boost[id] : undefined) ?? 1);
    return m > 0 && Number.isFinite(m) ? m : -1;
  };
  const perCategory = new Map<string, number>();
  const out: ScoredItem[] = [];
  // Takes the admitted items of one list, best first, until `out` is full.
  // Without boosts the rules cannot change the order, so they run only on
  // the items taken; a boost has to be known for every item first.
  const pick = (
    ids: readonly string[],
    scores: ArrayLike<number>,
    n: number,
    reason: (x: number) => Reason,
    fill?: boolean,
  ): void => {
    let value = scores;
    if (boost !== undefined) {
      const boosted = new Float64Array(n);
      for (let x = 0; x < n; x++) {
        const m = admit(ids[x]);
        if (m > 0) boosted[x] = scores[x] * m;
      }
      value = boosted;
    }
    const before = (a: number, b: number): boolean =>
      value[a] > value[b] || (value[a] === value[b] && compareIds(ids[a], ids[b]) < 0);
    // Fallback items rank after the model's: halving scores below the last one.
    let scale = (out.length ? out[out.length - 1].score : 1) / 2;
    let last = -1;
    // Rounds over the best `k` candidates ranked after the last round's,
    // kept in order by insertion: a widget needs few, and rules drop few.
    for (let k = limit + 8; out.length < limit; k *= 4) {
      const top: number[] = [];
      for (let x = 0; x < n; x++) {
        if (!(value[x] > 0) || (last >= 0 && !before(last, x))) continue;
        if (top.length >= k && !before(x, top[k - 1])) continue;
        let i = Math.min(top.length, k - 1);
        for (; i > 0 && before(x, top[i - 1]); i--) top[i] = top[i - 1];
        top[i] = x;
      }
      for (const x of top) {
        const id = ids[x];
        if (out.length >= limit) return;
        // Never one item twice (the fallback repeats the model's, a list may repeat an id).
        if (out.some((o) => o.id === id) || (boost === undefined && admit(id) < 0)) continue;
        // Counting the items a full category turns away changes nothing.
        const category = maxPerCategory === undefined ? undefined : lookup(id)?.category;
        const c = perCategory.get(category!) ?? 0;
        if (category !== undefined) perCategory.set(category, c + 1);
        if (category === undefined || !(c >= maxPerCategory!))
          out.push({ id, score: fill ? scale : value[x], reason: reason(x) });
        scale /= 2;
      }
      if (top.length < k) return;
      last = top[k - 1];
    }
  };
  pick(ids, scores, n, reason);
  const { trending } = rules;
  if (trending && out.length < limit)
    pick(trending.ids, trending.scores, trending.ids.length, trendingReason, true);
  return out;
}

const trendingReason = (): Reason => ({ kind: 'trending' });

/**
 * What scoring keeps per source between queries, so that a query touches
 * flat arrays instead of hashing thousands of ids, and allocates little.
 */
interface Scratch {
  /** The visitor's history items by id, marked with the query that last saw them. */
  seen: Map<string, HistoryItem>;
  /** Queries so far (the current one's number marks what belongs to it). */
  query: number;
  /**
   * Sums `weights[a]` (default 1) times `lists[a]` by item: candidate `x`
   * of `n` is `ids[x]` with `scores[x]`, its biggest contributor
   * `anchors[from[x]]` (on a tie, the first by id).
   */
  sum(
    lists: readonly (RankedList | undefined)[],
    anchors: readonly string[],
    weights?: ArrayLike<number>,
  ): { ids: string[]; scores: Float64Array; from: Int32Array; n: number };
}

function scratch(): Scratch {
  // Every item id the lists name gets a number; each list's ids are
  // numbered once (a list never changes once returned).
  const slot = new Map<string, number>();
  const names: string[] = [];
  const numbered = new WeakMap<readonly string[], Int32Array>();
  // By number: the query that last touched the item, and its position then.
  let stamp = new Int32Array(0);
  let pos = stamp;
  // By position in the query.
  const ids: string[] = [];
  let from = stamp;
  let scores = new Float64Array(0);
  let best = scores;
  const st: Scratch = {
    seen: new Map(),
    query: 0,
    sum(lists, anchors, weights) {
      const numbers = lists.map((list) => {
        if (!list) return undefined;
        let n = numbered.get(list.ids);
        if (!n) {
          n = Int32Array.from(list.ids, (id) => {
            let d = slot.get(id);
            if (d === undefined) {
              d = names.push(id) - 1;
              slot.set(id, d);
            }
            return d;
          });
          numbered.set(list.ids, n);
        }
        return n;
      });
      if (stamp.length < names.length) {
        stamp = new Int32Array(2 * names.length);
        pos = stamp.slice();
        from = stamp.slice();
        scores = new Float64Array(stamp.length);
        best = scores.slice();
      }
      const q = ++st.query;
      let n = 0;
      for (let a = 0; a < lists.length; a++) {
        const w = weights ? weights[a] : 1;
        const list = numbers[a];
        for (let x = 0; list && x < list.length; x++) {
          const c = w * lists[a]!.scores[x];
          if (!(c > 0)) continue;
          const d = list[x];
          if (stamp[d] !== q) {
            stamp[d] = q;
            pos[d] = n;
            ids[n] = names[d];
            scores[n] = c;
            best[n] = c;
            from[n++] = a;
          } else {
            const p = pos[d];
            scores[p] += c;
            if (c > best[p] || (c === best[p] && compareIds(anchors[a], anchors[from[p]]) < 0)) {
              best[p] = c;
              from[p] = a;
            }
          }
        }
      }
      return { ids, scores, from, n };
    },
  };
  return st;
}

/** Each source's scratch, held weakly: it goes with its source. */
let scratches: WeakMap<NeighbourSource, Scratch> | undefined;

/**
 * Takes the source's scratch out until {@link rank} puts it back: a rule
 * that asks the same source for another list meanwhile gets a new one, and
 * so does the next query when this one throws.
 */
function take(source: NeighbourSource): Scratch {
  scratches ??= new WeakMap();
  const st = scratches.get(source);
  scratches.delete(source);
  return st && st.query < 1e9 ? st : scratch();
}

/**
 * Sums the anchors' neighbour lists (see {@link Scratch.sum}), applies the
 * rules, and gives the scratch back to the source.
 */
function rank(
  st: Scratch,
  source: NeighbourSource,
  anchors: readonly string[],
  weights: ArrayLike<number> | undefined,
  reason: (anchor: number) => Reason,
  seen: { has(id: string): boolean },
  rules: RecommendRules,
  events = rules.events,
): ScoredItem[] {
  const { ids, scores, from, n } = st.sum(
    anchors.map((id) => source.neighbours(id)),
    anchors,
    weights,
  );
  const out = finish(ids, scores, n, (x) => reason(from[x]), seen, rules, events);
  scratches!.set(source, st);
  return out;
}

/**
 * Throws `INVALID_OPTION` (`limit must be an integer >= 0, got <v>`) unless
 * `rules.limit` is one or absent; returns the rules. The public scenarios
 * check; the widget part calls the `*Unchecked` ones, its requests checked
 * in the core (`checkRequest`), so the widget file carries no second check.
 */
function checked<R extends RecommendRules>(rules: R): R {
  const { limit = 10 } = rules;
  if (!(Number.isInteger(limit) && limit >= 0))
    throw new LikewiseError(
      'INVALID_OPTION',
      `limit must be an integer >= 0, got ${String(limit)}`,
    );
  return rules;
}

/**
 * Items near the anchors, the reason naming the one that contributed most:
 * {@link similar} (`kind` `similar`) and {@link boughtTogether} (`together`)
 * for rules checked already.
 */
export function anchoredUnchecked(
  kind: 'similar' | 'together',
  source: NeighbourSource,
  anchors: readonly string[],
  rules: RecommendRules,
): ScoredItem[] {
  const sorted = [...anchors].sort(compareIds);
  return rank(
    take(source),
    source,
    sorted,
    undefined,
    (a) => ({ kind, itemId: sorted[a] }),
    new Set(anchors),
    rules,
  );
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
  return anchoredUnchecked('similar', source, [itemId], checked(rules));
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
  return anchoredUnchecked(
    'together',
    source,
    typeof itemIds === 'string' ? [itemIds] : itemIds,
    checked(rules),
  );
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
  /** The query that last saw it (see {@link Scratch.seen}). */
  query: number;
}

/**
 * The visitor's distinct items, latest first, each with its latest time and
 * its strongest event type (the earliest such event's on a tie), kept in
 * `st.seen` and marked with a new query number.
 */
function history(
  events: readonly LikewiseEvent[],
  weights: Partial<Record<EventType, number>>,
  st: Scratch,
): HistoryItem[] {
  const query = ++st.query;
  const items: HistoryItem[] = [];
  // Latest event first: events in time order then give items in order.
  for (let i = events.length; i--; ) {
    const e = events[i];
    const w = weights[e.type] ?? DEFAULT_WEIGHTS[e.type];
    for (let x = 0; w > 0 && x <= (e.items?.length ?? 0); x++) {
      const id = itemAt(e, x);
      if (id === undefined) continue;
      let h = st.seen.get(id);
      if (!h) {
        h = { id, ts: 0, type: e.type, weight: 0, query: 0 };
        st.seen.set(id, h);
      }
      if (h.query !== query) {
        h.query = query;
        h.ts = -Infinity;
        h.weight = 0;
        items.push(h);
      }
      h.ts = Math.max(h.ts, e.ts);
      if (w >= h.weight) {
        h.weight = w;
        h.type = e.type;
      }
    }
  }
  return items.sort((a, b) => b.ts - a.ts || compareIds(a.id, b.id));
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
  return forYouUnchecked(source, events, checked(options));
}

/** {@link forYou} for options checked already. */
export function forYouUnchecked(
  source: NeighbourSource,
  events: readonly LikewiseEvent[],
  options: ForYouOptions,
): ScoredItem[] {
  const st = take(source);
  const items = history(events, options.weights ?? {}, st).slice(0, options.maxHistory ?? 50);
  const query = st.query;
  // `recencyWeights` over a history already sorted latest first: entries
  // with equal times share a step, the number of entries more recent.
  const half = options.recencyHalfLife ?? DEFAULT_RECENCY_HALF_LIFE;
  const rate = half < Infinity ? Math.LN2 / half : 0;
  let step = 0;
  return rank(
    st,
    source,
    items.map((h) => h.id),
    items.map((h, x) => {
      if (x > 0 && h.ts !== items[x - 1].ts) step = x;
      return Math.exp(-rate * step) * h.weight;
    }),
    (a) => ({ kind: 'history', itemId: items[a].id, via: items[a].type }),
    { has: (id) => options.excludeSeen !== false && st.seen.get(id)?.query === query },
    options,
    options.events ?? events,
  );
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
  return recentlyViewedUnchecked(events, checked(rules));
}

/** {@link recentlyViewed} for rules checked already. */
export function recentlyViewedUnchecked(
  events: readonly LikewiseEvent[],
  rules: RecommendRules & { currentItemId?: string },
): ScoredItem[] {
  const items = history(events, {}, scratch());
  // The visitor's own history is shown whole: items in the cart, bought or
  // out of stock were still viewed (only dismissals and the page item go).
  const { dismissed } = visitorState(rules.events ?? events);
  return finish(
    items.map((h) => h.id),
    // Strictly decreasing scores keep the time order.
    items.map((_, x) => 1 / (1 + x)),
    items.length,
    (x) => ({ kind: 'recent', itemId: items[x].id, via: items[x].type }),
    new Set([rules.currentItemId]),
    {
      ...rules,
      dismissed: [...(rules.dismissed ?? []), ...dismissed],
      excludePurchased: false,
      inStock: rules.inStock ?? (() => true),
      trending: undefined,
    },
    [],
  );
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
  return trendingUnchecked(popularity, checked(rules));
}

/** {@link trending} for rules checked already. */
export function trendingUnchecked(
  popularity: RankedList,
  rules: RecommendRules & { currentItemId?: string },
): ScoredItem[] {
  return finish(
    popularity.ids,
    popularity.scores,
    popularity.ids.length,
    trendingReason,
    new Set([rules.currentItemId]),
    { ...rules, trending: undefined },
  );
}
