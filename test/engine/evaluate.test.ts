import { describe, expect, it } from 'vitest';
import { evaluate, REFERENCE_MODEL, splitLeaveLastOut } from '../../src/engine/evaluate';
import { logOf } from './fixtures';
import { syntheticLog } from './synthetic';

// u1: a@1 b@2 c@3 -> test c. u2: a@1 b@1 (tie, b is the later line) -> test b.
// u3: c@2 a@4 c@5 (c kept at 5) -> test c. u4: d only -> dropped, d not in the catalogue.
const FIXTURE = logOf([
  ['u1', 'a', 'view', 1],
  ['u2', 'a', 'view', 1],
  ['u3', 'c', 'view', 2],
  ['u1', 'b', 'view', 2],
  ['u2', 'b', 'view', 1],
  ['u4', 'd', 'view', 9],
  ['u3', 'a', 'view', 4],
  ['u1', 'c', 'view', 3],
  ['u3', 'c', 'view', 5],
]);

describe('splitLeaveLastOut', () => {
  it('dedupes, drops one-item users and holds out the latest pair (later line on ties)', () => {
    const s = splitLeaveLastOut(FIXTURE);
    const id = (i: number) => FIXTURE.itemIds[i];
    expect([...s.testItems].map(id)).toEqual(['c', 'b', 'c']);
    expect(s.catalogueSize).toBe(3);
    const train = Array.from(
      { length: s.train.length },
      (_, r) => `${s.train.users[r]}${id(s.train.items[r])}`,
    );
    expect(train.sort()).toEqual(['0a', '0b', '1a', '2a']);
  });
});

describe('evaluate', () => {
  // Training: u1 {a, b}, u2 {a}, u3 {a}. Popularity a 3, b 1, c 0. Cosine(a, b) = 1/sqrt(3).
  // Top 1: u1 -> c (hit), u2 -> b (hit), u3 -> b (miss): HR 2/3, NDCG 2/3, coverage {b, c} 2/3.
  it('computes HR, NDCG and coverage by hand (N = 1)', () => {
    const r = evaluate(FIXTURE, {
      topN: 1,
      models: { pop: { kind: 'popularity' }, ref: REFERENCE_MODEL },
    });
    expect(r.users).toBe(3);
    expect(r.items).toBe(3);
    for (const m of [r.models.pop, r.models.ref]) {
      expect(m.hr10).toBeCloseTo(2 / 3, 10);
      expect(m.ndcg10).toBeCloseTo(2 / 3, 10);
      expect(m.coverage10).toBeCloseTo(2 / 3, 10);
    }
  });

  it('credits a hit at rank 2 with 1 / log2(3) (N = 2)', () => {
    // u1 -> [c] (hit at 1), u2 -> [b, c] (hit at 1), u3 -> [b, c] (hit at 2).
    const r = evaluate(FIXTURE, { topN: 2, models: { pop: { kind: 'popularity' } } });
    expect(r.models.pop.hr10).toBeCloseTo(1, 10);
    expect(r.models.pop.ndcg10).toBeCloseTo((2 + 1 / Math.log2(3)) / 3, 10);
  });

  it('counts the build pairs of neighbour models on the training matrix, none for popularity', () => {
    // Training: u1 {a, b} -> 4, u2 {a} -> 1, u3 {a} -> 1.
    const r = evaluate(FIXTURE, {
      topN: 1,
      models: { pop: { kind: 'popularity' }, ref: REFERENCE_MODEL },
    });
    expect(r.models.ref.pairs).toBe(6);
    expect(r.models.pop.pairs).toBeUndefined();
    // The cap applies before counting: at most 1 item per user leaves 1 pair each.
    const capped = evaluate(FIXTURE, {
      topN: 1,
      models: {
        ref: { kind: 'neighbours', build: { binary: true, k: 50, maxItemsPerUser: 1 } },
      },
    });
    expect(capped.models.ref.pairs).toBe(3);
  });

  it('times build and scoring with the injected clock', () => {
    let t = 0;
    const r = evaluate(FIXTURE, {}, () => (t += 5));
    expect(Object.keys(r.models)).toEqual(['default', 'reference', 'popularity']);
    for (const m of Object.values(r.models)) {
      expect(m.buildMs).toBe(5);
      expect(m.scoreMs).toBe(5);
    }
  });

  it('the default model beats the reference on a sequential shop log, without losing coverage', () => {
    const r = evaluate(syntheticLog({ users: 800, items: 300, seed: 3 }));
    const { default: d, reference: ref } = r.models;
    expect(d.hr10).toBeGreaterThan(ref.hr10 * 1.15);
    expect(d.ndcg10).toBeGreaterThan(ref.ndcg10 * 1.15);
    expect(d.coverage10).toBeGreaterThanOrEqual(ref.coverage10);
  });
});
