import { describe, expect, it } from 'vitest';
import type { Profile } from '../../src/metrics/computeProfile';
import { rerank } from '../../src/metrics/rerank';
import { CATALOG } from './fixtures';

const profile: Profile = {
  categories: [
    { value: 'Kitchen', score: 0.6 },
    { value: 'Books > Drama', score: 0.4 },
  ],
  brands: [{ value: 'Tefal', score: 1 }],
  price: { band: 'premium', min: 70, median: 80, max: 100, count: 2 },
  segment: 'browsing',
  pace: null,
  cart: [],
  minutesToCart: null,
  viewsPerCart: null,
  sessions: 3,
};
const empty: Profile = { ...profile, categories: [], brands: [], price: null };

describe('rerank', () => {
  it('orders by affinity, hand computed, ties keep the shop order', () => {
    // d1 0.4; k1 0.6 + 0.5 + 0.2 (80 within 70..100) = 1.3; s1 0; unknown 0; k2 0.6 + 0.5 = 1.1; d2 0.4.
    expect(rerank(['d1', 'k1', 's1', 'unknown', 'k2', 'd2'], profile, CATALOG)).toEqual([
      'k1',
      'k2',
      'd1',
      'd2',
      's1',
      'unknown',
    ]);
  });

  it('weights are options', () => {
    expect(
      rerank(['k1', 'd1'], profile, CATALOG, { categoryWeight: 0, brandWeight: 0, priceWeight: 0 }),
    ).toEqual(['k1', 'd1']);
    expect(rerank(['k2', 'k1'], profile, CATALOG, { categoryWeight: 0, brandWeight: 0 })).toEqual([
      'k1',
      'k2',
    ]);
  });

  it('never drops, adds or dedupes items, and leaves the list alone for an empty profile', () => {
    const list = ['s1', 'k1', 'k1', 'zz', 'd3'];
    const out = rerank(list, profile, CATALOG);
    expect([...out].sort()).toEqual([...list].sort());
    expect(rerank(list, empty, CATALOG)).toEqual(list);
    expect(rerank([], profile, CATALOG)).toEqual([]);
    expect(list).toEqual(['s1', 'k1', 'k1', 'zz', 'd3']);
  });
});
