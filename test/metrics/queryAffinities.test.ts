import { describe, expect, it } from 'vitest';
import { currentQuery, queryAffinities } from '../../src/metrics/queryAffinities';
import { rerank } from '../../src/metrics/rerank';
import type { CatalogItem, LikewiseEvent } from '../../src/types';

const catalog = new Map<string, CatalogItem>(
  [
    { id: 'f1', title: 'Dragon Keep', url: '/f1', category: 'Fantasy', brand: 'Ann' },
    { id: 'f2', title: 'Dragon Sea', url: '/f2', category: 'Fantasy', brand: 'Bo' },
    { id: 't1', title: 'Dragon Heist', url: '/t1', category: 'Thriller', brand: 'Cy' },
    { id: 'c1', title: 'Dragon Fruit Cookbook', url: '/c1', category: 'Cookery', brand: 'Di' },
  ].map((i) => [i.id, i]),
);
let n = 0;
const ev = (type: LikewiseEvent['type'], more: Partial<LikewiseEvent> = {}): LikewiseEvent => ({
  id: `e${++n}`,
  type,
  ts: 1_700_000_000_000 + n * 1000,
  session: 's1',
  ...more,
});

describe('queryAffinities', () => {
  it('learns what a query led to from the clicks, carts and purchases after it, in its session, until the next search', () => {
    const events = [
      ev('click', { itemId: 't1' }), // before any search: not counted
      ev('search', { query: ' Dragon ' }),
      ev('click', { itemId: 'c1' }),
      ev('add_to_cart', { itemId: 'c1' }),
      ev('click', { itemId: 'f1' }),
      ev('search', { query: 'heist' }),
      ev('click', { itemId: 't1' }), // after another query
      ev('search', { query: 'dragon' }),
      ev('view', { itemId: 'c1', session: 's2' }), // another session
    ];
    const a = queryAffinities(events, 'DRAGON', catalog);
    // c1: click 1 + cart 2; f1: click 1.
    expect([...a.categories]).toEqual([
      ['Cookery', 0.75],
      ['Fantasy', 0.25],
    ]);
    expect(a.brands.get('Di')).toBe(0.75);
    expect(queryAffinities(events, 'elves', catalog).categories.size).toBe(0);
  });

  it('a search ranks higher what that query led to before, above the general profile', () => {
    const events = [ev('search', { query: 'dragon' }), ev('click', { itemId: 'c1' })];
    const profile = {
      categories: [{ value: 'Fantasy', score: 1 }],
      brands: [],
      price: null,
    } as unknown as Parameters<typeof rerank>[1];
    const results = ['f1', 'f2', 't1', 'c1'];
    expect(rerank(results, profile, catalog)).toEqual(['f1', 'f2', 't1', 'c1']);
    expect(
      rerank(results, profile, catalog, { query: queryAffinities(events, 'dragon', catalog) }),
    ).toEqual(['c1', 'f1', 'f2', 't1']);
  });
});

describe('currentQuery', () => {
  it('is the latest search while only clicks, views and impressions came since, within 30 minutes', () => {
    const search = ev('search', { query: 'Dragon  Fruit' });
    const now = search.ts + 1000;
    expect(currentQuery([search], now)).toBe('dragon fruit');
    expect(currentQuery([search, ev('impression', { itemId: 'c1' })], now)).toBe('dragon fruit');
    expect(currentQuery([search, ev('add_to_cart', { itemId: 'c1' })], now)).toBeUndefined();
    expect(currentQuery([search], search.ts + 31 * 60_000)).toBeUndefined();
    expect(currentQuery([], now)).toBeUndefined();
  });
});
