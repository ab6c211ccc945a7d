import { describe, expect, it } from 'vitest';
import { computeProfile, quantile } from '../../src/metrics/computeProfile';
import type { EventType, LikewiseEvent } from '../../src/types';
import { CATALOG } from './fixtures';

const NOW = 1_700_000_000_000;
const DAY = 86_400_000;
const MIN = 60_000;
let n = 0;
const ev = (
  type: EventType,
  ago: number,
  session: string,
  extra: Partial<LikewiseEvent> = {},
): LikewiseEvent => ({
  id: `p${++n}`,
  type,
  ts: NOW - ago,
  session,
  ...extra,
});
const byId = new Map(CATALOG.map((i) => [i.id, i]));

describe('computeProfile', () => {
  it('weights by event type and recency (half-life 14 days), hand computed', () => {
    // view d1 now: 1; view d2 14 days ago: 0.5; add_to_cart s1 now: 4.
    // Books > Drama 1.5, Books > Sci-Fi 4: shares 4/5.5 and 1.5/5.5.
    const events = [
      ev('view', 14 * DAY, 'a', { itemId: 'd2' }),
      ev('view', 0, 'b', { itemId: 'd1' }),
      ev('add_to_cart', 0, 'b', { itemId: 's1' }),
    ];
    const p = computeProfile(events, CATALOG, { now: NOW });
    expect(p.categories.map((a) => a.value)).toEqual(['Books > Sci-Fi', 'Books > Drama']);
    expect(p.categories[0].score).toBeCloseTo(4 / 5.5, 12);
    expect(p.categories[1].score).toBeCloseTo(1.5 / 5.5, 12);
    expect(p.brands.map((a) => [a.value, +a.score.toFixed(4)])).toEqual([
      ['Tor', 0.7273],
      ['Penguin', 0.2727],
    ]);
    // Viewed prices 10, 12, 20; shop quartiles of 10,12,14,20,80,120 are 12.5 and 65: median 12 is budget.
    expect(p.price).toEqual({ band: 'budget', min: 10, median: 12, max: 20, count: 3 });
    expect(p.segment).toBe('ready-to-buy');
    expect(p.cart).toEqual(['s1']);
    // Added without viewing it first: 0 minutes; 2 items viewed per add-to-cart.
    expect(p).toMatchObject({ pace: 'impulsive', minutesToCart: 0, viewsPerCart: 2, sessions: 2 });
  });

  it('quantile interpolates linearly (R type 7)', () => {
    expect(quantile([10, 12, 14, 20, 80, 120], 0.25)).toBe(12.5);
    expect(quantile([10, 12, 14, 20, 80, 120], 0.75)).toBe(65);
    expect(quantile([5], 0.5)).toBe(5);
  });

  it('price band premium and mid; null band when the shop quartiles are unknown', () => {
    const premium = computeProfile([ev('view', 0, 'a', { itemId: 'k2' })], CATALOG, { now: NOW });
    expect(premium.price?.band).toBe('premium');
    const mid = computeProfile([ev('view', 0, 'a', { itemId: 's1' })], CATALOG, { now: NOW });
    expect(mid.price?.band).toBe('mid');
    const lookupOnly = computeProfile(
      [ev('view', 0, 'a', { itemId: 's1' })],
      (id) => byId.get(id),
      { now: NOW },
    );
    expect(lookupOnly.price).toEqual({ band: null, min: 20, median: 20, max: 20, count: 1 });
    expect(
      computeProfile([ev('view', 0, 'a', { itemId: 's1' })], (id) => byId.get(id), {
        now: NOW,
        priceQuartiles: [30, 60],
      }).price?.band,
    ).toBe('budget');
  });

  it('search terms feed category and brand affinities', () => {
    const p = computeProfile([ev('search', 0, 'a', { query: 'Tefal drama' })], CATALOG, {
      now: NOW,
    });
    expect(p.categories).toEqual([{ value: 'Books > Drama', score: 1 }]);
    expect(p.brands).toEqual([{ value: 'Tefal', score: 1 }]);
    // No category or brand is called "frying" or "pans": the titles are searched (pan ~ pans).
    const t = computeProfile([ev('search', 0, 'a', { query: 'frying pans' })], CATALOG, {
      now: NOW,
    });
    expect(t.categories).toEqual([{ value: 'Kitchen', score: 1 }]);
  });

  it('negative signals lower an affinity below others', () => {
    const p = computeProfile(
      [
        ev('view', 0, 'a', { itemId: 'k1' }),
        ev('dismiss', 0, 'a', { itemId: 'k2' }),
        ev('view', 0, 'a', { itemId: 'd1' }),
      ],
      CATALOG,
      { now: NOW },
    );
    expect(p.categories.map((a) => a.value)).toEqual(['Books > Drama']);
  });

  it('segments: new, browsing, comparing (3 of a category; a return to an item), ready-to-buy ends on purchase', () => {
    const seg = (events: LikewiseEvent[]) => computeProfile(events, CATALOG, { now: NOW }).segment;
    expect(seg([])).toBe('new');
    expect(seg([ev('view', 0, 'a', { itemId: 'd1' }), ev('view', 0, 'a', { itemId: 'k1' })])).toBe(
      'new',
    );
    expect(
      seg([ev('view', DAY, 'a', { itemId: 'd1' }), ev('view', 0, 'b', { itemId: 'k1' })]),
    ).toBe('browsing');
    expect(
      seg([
        ev('view', 3 * MIN, 'a', { itemId: 'd1' }),
        ev('view', 2 * MIN, 'a', { itemId: 'd2' }),
        ev('view', MIN, 'a', { itemId: 'd3' }),
      ]),
    ).toBe('comparing');
    expect(
      seg([ev('view', DAY, 'a', { itemId: 'k1' }), ev('view', 0, 'b', { itemId: 'k1' })]),
    ).toBe('comparing');
    expect(
      seg([ev('view', 8 * DAY, 'a', { itemId: 'k1' }), ev('view', 0, 'b', { itemId: 'k1' })]),
    ).toBe('browsing');
    const carted = [
      ev('view', 2 * MIN, 'a', { itemId: 'k1' }),
      ev('add_to_cart', MIN, 'a', { itemId: 'k1' }),
    ];
    expect(seg(carted)).toBe('ready-to-buy');
    expect(
      seg([...carted, ev('purchase', 0, 'a', { items: [{ itemId: 'k1', price: 80 }] })]),
    ).not.toBe('ready-to-buy');
    expect(seg([...carted, ev('remove_from_cart', 0, 'a', { itemId: 'k1' })])).not.toBe(
      'ready-to-buy',
    );
    // A cart older than cartDays (3) no longer counts.
    expect(
      seg([
        ev('add_to_cart', 4 * DAY, 'a', { itemId: 'k1' }),
        ev('view', 0, 'b', { itemId: 'd1' }),
      ]),
    ).toBe('browsing');
  });

  it('pace: deliberate when the median time from first view to cart exceeds 10 minutes', () => {
    const p = computeProfile(
      [
        ev('view', 2 * 60 * MIN, 'a', { itemId: 'k1' }),
        ev('add_to_cart', 0, 'b', { itemId: 'k1' }),
      ],
      CATALOG,
      { now: NOW },
    );
    expect(p).toMatchObject({ pace: 'deliberate', minutesToCart: 120, viewsPerCart: 1 });
    expect(
      computeProfile([ev('view', 0, 'a', { itemId: 'k1' })], CATALOG, { now: NOW }).pace,
    ).toBeNull();
  });
});
