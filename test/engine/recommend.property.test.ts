import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildNeighbours, type Similarity } from '../../src/engine/buildNeighbours';
import { evaluate } from '../../src/engine/evaluate';
import { neighbourSource } from '../../src/engine/neighbourSource';
import { forYou, similar, trending } from '../../src/engine/recommend';
import type { CatalogItem, EventType, LikewiseEvent } from '../../src/types';
import { fuzzRuns } from '../support/fuzzRuns';
import { logOf, type Row } from './fixtures';

const ITEMS = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', '10', '9'];
const TYPES: EventType[] = ['view', 'click', 'add_to_cart', 'purchase'];
const rows = fc.array(
  fc.tuple(
    fc.integer({ min: 0, max: 8 }).map((u) => `u${u}`),
    fc.constantFrom(...ITEMS),
    fc.constantFrom(...TYPES),
    fc.integer({ min: 0, max: 1e6 }),
  ),
  { minLength: 1, maxLength: 60 },
) as fc.Arbitrary<Row[]>;
const similarity = fc.constantFrom<Similarity>('cosine', 'jaccard', 'conditional');

/** A shop: a random model, catalogue (some unknown or out of stock) and visitor. */
const shop = fc.record({
  rows,
  similarity,
  k: fc.integer({ min: 1, max: 12 }),
  unknown: fc.subarray(ITEMS),
  outOfStock: fc.subarray(ITEMS),
  exclude: fc.subarray(ITEMS),
  history: fc.array(
    fc.tuple(fc.constantFrom(...ITEMS), fc.constantFrom<EventType>(...TYPES, 'dismiss')),
    {
      maxLength: 12,
    },
  ),
  anchor: fc.constantFrom(...ITEMS),
  limit: fc.integer({ min: 0, max: 12 }),
});

type Shop = typeof shop extends fc.Arbitrary<infer T> ? T : never;

function setup(s: Shop) {
  const model = buildNeighbours(logOf(s.rows), { similarity: s.similarity, k: s.k });
  const catalog = new Map<string, CatalogItem>(
    ITEMS.filter((id) => !s.unknown.includes(id)).map((id) => [
      id,
      { id, title: id, url: `/p/${id}`, inStock: !s.outOfStock.includes(id) },
    ]),
  );
  const events: LikewiseEvent[] = s.history.map(([itemId, type], i) => ({
    id: `e${i}`,
    type,
    itemId,
    ts: 1_700_000_000_000 + i * 1000,
    session: 's',
  }));
  const dismissed = new Set(events.filter((e) => e.type === 'dismiss').map((e) => e.itemId));
  const banned = (id: string) =>
    s.unknown.includes(id) ||
    s.outOfStock.includes(id) ||
    s.exclude.includes(id) ||
    dismissed.has(id);
  const trend = { ids: [...ITEMS], scores: ITEMS.map((_, i) => ITEMS.length - i) };
  const rules = { catalog, exclude: s.exclude, limit: s.limit, trending: trend };
  return { model, source: neighbourSource(model), catalog, events, banned, rules };
}

describe('engine properties (fast-check)', () => {
  it('lists never hold the item itself; scores are finite; builds are deterministic', () => {
    fc.assert(
      fc.property(rows, similarity, fc.integer({ min: 1, max: 12 }), (r, sim, k) => {
        const a = buildNeighbours(logOf(r), { similarity: sim, k });
        const b = buildNeighbours(logOf(r), { similarity: sim, k });
        expect(b).toEqual(a);
        for (let i = 0; i < a.itemIds.length; i++)
          for (let p = a.offsets[i]; p < a.offsets[i + 1]; p++) {
            expect(a.indices[p]).not.toBe(i);
            expect(Number.isFinite(a.scores[p])).toBe(true);
          }
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('symmetric measures are symmetric (cosine at alpha 0.5, jaccard)', () => {
    fc.assert(
      fc.property(rows, fc.constantFrom<Similarity>('cosine', 'jaccard'), (r, sim) => {
        const n = buildNeighbours(logOf(r), { similarity: sim, k: ITEMS.length });
        const score = (i: number, j: number) => {
          for (let p = n.offsets[i]; p < n.offsets[i + 1]; p++)
            if (n.indices[p] === j) return n.scores[p];
          return 0;
        };
        for (let i = 0; i < n.itemIds.length; i++)
          for (let j = 0; j < i; j++) expect(score(i, j)).toBeCloseTo(score(j, i), 6);
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('recommendations: no self, nothing excluded, dismissed, unknown or out of stock; finite; deterministic', () => {
    fc.assert(
      fc.property(shop, (s) => {
        const { source, events, banned, rules } = setup(s);
        const lists = [
          similar(source, s.anchor, { ...rules, events }),
          forYou(source, events, rules),
          trending(rules.trending, { ...rules, events, currentItemId: s.anchor }),
        ];
        for (const list of lists) {
          expect(list.length).toBeLessThanOrEqual(s.limit);
          expect(new Set(list.map((x) => x.id)).size).toBe(list.length);
          for (const x of list) {
            expect(banned(x.id), x.id).toBe(false);
            expect(Number.isFinite(x.score)).toBe(true);
          }
        }
        expect(lists[0].some((x) => x.id === s.anchor)).toBe(false);
        expect(lists[2].some((x) => x.id === s.anchor)).toBe(false);
        expect(similar(source, s.anchor, { ...rules, events })).toEqual(lists[0]);
        expect(forYou(source, events, rules)).toEqual(lists[1]);
      }),
      { numRuns: fuzzRuns(100) },
    );
  });

  it('offline metrics stay in [0, 1]', () => {
    fc.assert(
      fc.property(rows, (r) => {
        const { models } = evaluate(logOf(r), {}, () => 0);
        for (const m of Object.values(models))
          for (const v of [m.hr10, m.ndcg10, m.coverage10]) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
      }),
      { numRuns: fuzzRuns(30) },
    );
  });
});
