import type { LikewiseEvent } from '../types';
import { type CatalogSource, catalogLookup } from './computeProfile';

/** Categories and brands a query leads to, each a share (the values of a map sum to 1). */
export interface QueryAffinities {
  categories: Map<string, number>;
  brands: Map<string, number>;
}

/** How much each follow-up counts: a purchase says more than a click. */
const FOLLOW_UP: Partial<Record<LikewiseEvent['type'], number>> = {
  click: 1,
  view: 1,
  add_to_cart: 2,
  purchase: 3,
};

/** A query as compared: trimmed, lower case, inner spaces collapsed. */
const norm = (q: string) => q.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The visitor's current search: the query of their latest event if that is a
 * `search` no older than `maxAgeMs`, else of the latest search followed only
 * by clicks and views of its results in the same session. `undefined` when
 * the latest search is older or another kind of visit came since.
 *
 * @example currentQuery(events, Date.now()) // 'dragon'
 */
export function currentQuery(
  events: readonly LikewiseEvent[],
  now: number,
  maxAgeMs: number = 30 * 60_000,
): string | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'search') return e.query && now - e.ts <= maxAgeMs ? norm(e.query) : undefined;
    if (e.type !== 'click' && e.type !== 'view' && e.type !== 'impression') return undefined;
  }
  return undefined;
}

/**
 * What `query` leads this visitor to: the categories and brands of the items
 * clicked, viewed, added to the cart or bought after a search for it, in the
 * same session and before the next search. Pure.
 *
 * @param events - The visitor's events, oldest first.
 * @param query - Compared trimmed and case-blind.
 * @param catalog - Where categories and brands come from; unknown ids count for nothing.
 * @example
 * queryAffinities(events, 'dragon', catalog).categories // Map { 'Fantasy' => 0.75, 'Thriller' => 0.25 }
 */
export function queryAffinities(
  events: readonly LikewiseEvent[],
  query: string,
  catalog: CatalogSource,
): QueryAffinities {
  const { get } = catalogLookup(catalog);
  const q = norm(query);
  const out: QueryAffinities = { categories: new Map(), brands: new Map() };
  const add = (map: Map<string, number>, key: string | undefined, w: number) => {
    if (key) map.set(key, (map.get(key) ?? 0) + w);
  };
  let session: string | undefined;
  for (const e of events) {
    if (e.type === 'search') {
      session = e.query && norm(e.query) === q ? e.session : undefined;
      continue;
    }
    const w = FOLLOW_UP[e.type];
    if (!w || e.session !== session) continue;
    for (const id of e.items ? e.items.map((l) => l.itemId) : e.itemId ? [e.itemId] : []) {
      const item = get(id);
      add(out.categories, item?.category, w);
      add(out.brands, item?.brand, w);
    }
  }
  for (const map of [out.categories, out.brands]) {
    let sum = 0;
    for (const v of map.values()) sum += v;
    for (const [k, v] of map) map.set(k, v / sum);
  }
  return out;
}
