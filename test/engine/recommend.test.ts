import { describe, expect, it } from 'vitest';
import type { NeighbourSource, RankedList } from '../../src/engine/neighbourSource';
import {
  boughtTogether,
  forYou,
  recentlyViewed,
  similar,
  trending,
  visitorState,
} from '../../src/engine/recommend';
import type { CatalogItem, EventType, LikewiseEvent } from '../../src/types';

/** A source from plain lists. */
const sourceOf = (lists: Record<string, [string, number][]>): NeighbourSource => ({
  neighbours: (id) =>
    lists[id] ? { ids: lists[id].map(([j]) => j), scores: lists[id].map(([, s]) => s) } : undefined,
});

const SOURCE = sourceOf({
  a: [
    ['b', 0.9],
    ['c', 0.5],
    ['d', 0.5],
    ['e', 0.1],
  ],
  x: [
    ['c', 0.8],
    ['y', 0.6],
  ],
});

let seq = 0;
const ev = (type: EventType, itemId: string, ts: number, session = 's1'): LikewiseEvent => ({
  id: `e${seq++}`,
  type,
  itemId,
  ts,
  session,
});

const ids = (list: { id: string }[]) => list.map((r) => r.id);

describe('similar', () => {
  it('returns the neighbours, ties by id, with the anchor as reason', () => {
    const r = similar(SOURCE, 'a');
    expect(ids(r)).toEqual(['b', 'c', 'd', 'e']);
    expect(r[0]).toEqual({ id: 'b', score: 0.9, reason: { kind: 'similar', itemId: 'a' } });
  });

  it('falls back to trending when the item has too few neighbours', () => {
    const pop: RankedList = { ids: ['p', 'q', 'y'], scores: [5, 9, 1] };
    const r = similar(SOURCE, 'x', { limit: 4, trending: pop });
    expect(ids(r)).toEqual(['c', 'y', 'q', 'p']);
    expect(r[2].reason).toEqual({ kind: 'trending' });
    expect(r[2].score).toBeLessThan(r[1].score);
  });
});

describe('business rules', () => {
  const catalog = new Map<string, CatalogItem>(
    [
      { id: 'b', category: 'shoes', price: 50 },
      { id: 'c', category: 'shoes', price: 20, inStock: false },
      { id: 'd', category: 'hats', price: 10 },
      { id: 'e', category: 'shoes', price: 80 },
    ].map((c) => [c.id, { title: c.id, url: `/${c.id}`, ...c }]),
  );

  it('drops unknown and out-of-stock items', () => {
    const cat = new Map(catalog);
    cat.delete('e');
    expect(ids(similar(SOURCE, 'a', { catalog: cat }))).toEqual(['b', 'd']);
    expect(ids(similar(SOURCE, 'a', { isKnown: (id) => id !== 'b', inStock: () => true }))).toEqual(
      ['c', 'd', 'e'],
    );
  });

  it('excludes the page, cart, purchased and dismissed items', () => {
    const events = [ev('add_to_cart', 'b', 1), ev('purchase', 'c', 2), ev('dismiss', 'd', 3)];
    expect(ids(similar(SOURCE, 'a', { events }))).toEqual(['e']);
    expect(ids(similar(SOURCE, 'a', { events, excludePurchased: false }))).toEqual(['c', 'e']);
    expect(ids(similar(SOURCE, 'a', { exclude: new Set(['b', 'e']) }))).toEqual(['c', 'd']);
    expect(ids(similar(SOURCE, 'a', { cart: ['c'], purchased: ['d'], dismissed: ['e'] }))).toEqual([
      'b',
    ]);
  });

  it('reads a cart item removed again as out of the cart', () => {
    const state = visitorState([ev('add_to_cart', 'b', 1), ev('remove_from_cart', 'b', 2)]);
    expect([...state.cart]).toEqual([]);
  });

  it('reads events in time order whatever order they come in, and leaves the list as it was', () => {
    const events = [
      ev('remove_from_cart', 'b', 2),
      ev('add_to_cart', 'b', 1),
      ev('add_to_cart', 'c', 3),
    ];
    const copy = [...events];
    expect([...visitorState(events).cart]).toEqual(['c']);
    expect(events).toEqual(copy);
    expect([...visitorState([copy[1], copy[0], copy[2]]).cart]).toEqual(['c']);
  });

  it('filters by category, price range and predicate', () => {
    expect(ids(similar(SOURCE, 'a', { catalog, category: 'shoes' }))).toEqual(['b', 'e']);
    expect(ids(similar(SOURCE, 'a', { catalog, minPrice: 15, maxPrice: 60 }))).toEqual(['b']);
    expect(ids(similar(SOURCE, 'a', { filter: (id) => id !== 'c' }))).toEqual(['b', 'd', 'e']);
  });

  it('boosts and buries by id or predicate', () => {
    expect(ids(similar(SOURCE, 'a', { boost: { e: 10, b: 0.1 } }))).toEqual(['e', 'c', 'd', 'b']);
    expect(ids(similar(SOURCE, 'a', { boost: (id) => (id === 'b' ? 0 : 1) }))).toEqual([
      'c',
      'd',
      'e',
    ]);
  });

  it('caps items per category and the list length', () => {
    const cat = new Map(catalog);
    cat.set('c', { ...catalog.get('c')!, inStock: true });
    expect(ids(similar(SOURCE, 'a', { catalog: cat, maxPerCategory: 1 }))).toEqual(['b', 'd']);
    expect(ids(similar(SOURCE, 'a', { limit: 2 }))).toEqual(['b', 'c']);
  });
});

describe('boughtTogether', () => {
  it('sums over the cart, excludes the cart and names the strongest anchor', () => {
    const r = boughtTogether(SOURCE, ['a', 'x']);
    // c: 0.5 from a + 0.8 from x.
    expect(r[0]).toEqual({ id: 'c', score: 1.3, reason: { kind: 'together', itemId: 'x' } });
    expect(ids(r)).toEqual(['c', 'b', 'y', 'd', 'e']);
    expect(ids(boughtTogether(SOURCE, 'x'))).toEqual(['c', 'y']);
  });
});

describe('forYou', () => {
  it('weights recent history most and names the item that contributed most', () => {
    // x viewed last (weight 1), a before (weight 1/2): c = 0.8 + 0.25, y = 0.6, b = 0.45.
    const events = [ev('view', 'a', 1), ev('view', 'x', 2)];
    const r = forYou(SOURCE, events);
    expect(ids(r)).toEqual(['c', 'y', 'b', 'd', 'e']);
    expect(r[0].score).toBeCloseTo(1.05, 10);
    expect(r[0].reason).toEqual({ kind: 'history', itemId: 'x', via: 'view' });
  });

  it('weights history by event type', () => {
    // a bought (8 * 1/2) outweighs x viewed last (1).
    const r = forYou(SOURCE, [ev('purchase', 'a', 1), ev('view', 'x', 2)], {
      excludePurchased: false,
    });
    expect(r[0].id).toBe('b');
    expect(r[0].reason).toEqual({ kind: 'history', itemId: 'a', via: 'purchase' });
  });

  it('gives the hand-computed list: recency steps, type weights, ties by id, reasons', () => {
    const source = sourceOf({
      a: [
        ['b', 0.8],
        ['c', 0.4],
        ['d', 0.4],
      ],
      x: [
        ['c', 0.8],
        ['e', 0.5],
        ['b', 0.2],
      ],
      p: [
        ['e', 1],
        ['f', 0.5],
        ['g', 0.05],
      ],
    });
    // History latest first: p (click, t2) and x (view, t2) share step 0, so
    // both keep recency 1; a (view, t1) is 2 steps back: 1/4. Weights:
    // p 2 * 1, x 1 * 1, a 1 * 1/4. The older view of x changes nothing.
    const events = [
      ev('view', 'x', 0),
      ev('view', 'a', 1),
      ev('view', 'x', 2),
      ev('click', 'p', 2),
    ];
    const r = forYou(source, events);
    expect(r.map((s) => [s.id, s.reason.itemId, s.reason.via])).toEqual([
      ['e', 'p', 'click'], // 2 * 1 + 1 * 0.5 = 2.5, p gave most
      ['f', 'p', 'click'], // 2 * 0.5 = 1
      ['c', 'x', 'view'], // 0.8 + 0.4 / 4 = 0.9
      ['b', 'a', 'view'], // 0.2 from x, 0.8 / 4 = 0.2 from a: a tie, a first by id
      ['d', 'a', 'view'], // 0.4 / 4 = 0.1
      ['g', 'p', 'click'], // 2 * 0.05 = 0.1, after d by id
    ]);
    expect(r.map((s) => s.score)).toEqual([2.5, 1, 0.8 + 0.1, 0.4, 0.1, 0.1]);
    expect(r.every((s) => s.reason.kind === 'history')).toBe(true);
    // The same query again (the source's scratch reused) gives the same list.
    expect(forYou(source, events)).toEqual(r);
  });

  it('forgets the previous visitor history between queries on one source', () => {
    const source = sourceOf({
      a: [
        ['x', 0.5],
        ['b', 0.4],
      ],
      x: [['a', 0.9]],
    });
    expect(ids(forYou(source, [ev('view', 'a', 1), ev('view', 'x', 2)]))).toEqual(['b']);
    expect(ids(forYou(source, [ev('view', 'a', 1)]))).toEqual(['x', 'b']);
  });

  it('walks past many excluded candidates to the next best', () => {
    const many = Array.from({ length: 40 }, (_, i): [string, number] => [`n${i}`, 1 - i / 100]);
    const source = sourceOf({ a: many });
    const exclude = many.slice(0, 25).map(([id]) => id);
    expect(ids(similar(source, 'a', { limit: 2, exclude }))).toEqual(['n25', 'n26']);
    expect(ids(forYou(source, [ev('view', 'a', 1)], { limit: 3, exclude }))).toEqual([
      'n25',
      'n26',
      'n27',
    ]);
  });

  it('gives a rule that asks the same source for a list meanwhile a correct answer', () => {
    const events = [ev('view', 'a', 1), ev('view', 'x', 2)];
    const plain = forYou(SOURCE, events);
    const nested: string[][] = [];
    const r = forYou(SOURCE, events, {
      filter: (id) => {
        nested.push(ids(similar(SOURCE, 'x')));
        return id !== 'zz';
      },
    });
    expect(r).toEqual(plain);
    expect(nested[0]).toEqual(['c', 'y']);
  });

  it('never recommends what the visitor already saw', () => {
    const r = forYou(SOURCE, [ev('view', 'a', 1), ev('view', 'b', 2)]);
    expect(ids(r)).not.toContain('b');
    expect(ids(r)).not.toContain('a');
  });
});

describe('recentlyViewed and trending', () => {
  it('lists viewed items latest first, without the page item', () => {
    const events = [
      ev('view', 'a', 1),
      ev('click', 'b', 3),
      ev('view', 'c', 2),
      ev('impression', 'z', 4),
    ];
    const r = recentlyViewed(events, { currentItemId: 'c' });
    expect(ids(r)).toEqual(['b', 'a']);
    expect(r[0].reason).toEqual({ kind: 'recent', itemId: 'b', via: 'click' });
  });

  it('never lists one item twice, even from a list that repeats it', () => {
    expect(ids(trending({ ids: ['a', 'b', 'a'], scores: [1, 3, 2] }))).toEqual(['b', 'a']);
    const pop: RankedList = { ids: ['c', 'q', 'b'], scores: [9, 5, 1] };
    expect(ids(similar(SOURCE, 'x', { limit: 4, trending: pop }))).toEqual(['c', 'y', 'q', 'b']);
  });

  it('ranks by popularity, ties by id', () => {
    const r = trending({ ids: ['b', 'a', 'c', 'z'], scores: [2, 2, 5, 0] }, { exclude: ['c'] });
    expect(ids(r)).toEqual(['a', 'b']);
    expect(r[0].reason).toEqual({ kind: 'trending' });
  });
});

describe('the limit rule', () => {
  const pop: RankedList = { ids: ['b', 'c'], scores: [2, 1] };
  const calls = (limit: number | undefined) => [
    () => similar(SOURCE, 'a', { limit }),
    () => boughtTogether(SOURCE, ['a'], { limit }),
    () => forYou(SOURCE, [ev('view', 'a', 1)], { limit }),
    () => recentlyViewed([ev('view', 'a', 1)], { limit }),
    () => trending(pop, { limit }),
  ];

  it('every scenario refuses a limit that is not an integer >= 0, with the exact message', () => {
    for (const [limit, shown] of [
      [-1, '-1'],
      [2.5, '2.5'],
      [Number.NaN, 'NaN'],
    ] as const)
      for (const call of calls(limit))
        expect(call).toThrowError(
          expect.objectContaining({
            code: 'INVALID_OPTION',
            message: `limit must be an integer >= 0, got ${shown}`,
          }),
        );
  });

  it('takes 0 (nothing) and no limit (10 at most)', () => {
    for (const call of calls(0)) expect(call()).toEqual([]);
    for (const call of calls(undefined)) expect(call().length).toBeGreaterThan(0);
  });
});
