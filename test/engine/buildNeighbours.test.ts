import { describe, expect, it } from 'vitest';
import {
  buildNeighbourRows,
  buildNeighbours,
  mergeNeighbours,
  planNeighbours,
} from '../../src/engine/buildNeighbours';
import { buildPopularity } from '../../src/engine/buildPopularity';
import { compareIds } from '../../src/engine/compareIds';
import type { InteractionLog } from '../../src/engine/types';
import {
  buildUserItemMatrix,
  countedTypesOf,
  gatherUserRows,
  groupRowsByUser,
  planUserRows,
} from '../../src/engine/userItemMatrix';
import { isLikewiseError } from '../../src/errors';
import { listsOf, logOf, type Row, WORKED } from './fixtures';
import { syntheticLog } from './synthetic';

const close = (got: [string, number][], want: [string, number][]) => {
  expect(got.map(([id]) => id)).toEqual(want.map(([id]) => id));
  for (let x = 0; x < got.length; x++) expect(got[x][1]).toBeCloseTo(want[x][1], 6);
};

/** Cosine lists by scoring every pair and sorting them all: the reference for the selection. */
function byFullSort(log: InteractionLog, k: number) {
  const m = buildUserItemMatrix(log);
  const n = m.itemCount;
  const sq = new Float64Array(n);
  for (let i = 0; i < n; i++)
    for (let p = m.itemOffsets[i]; p < m.itemOffsets[i + 1]; p++) sq[i] += m.itemValues[p] ** 2;
  const dots = Array.from({ length: n }, () => new Float64Array(n));
  for (let u = 0; u < m.userCount; u++)
    for (let a = m.userOffsets[u]; a < m.userOffsets[u + 1]; a++)
      for (let b = m.userOffsets[u]; b < m.userOffsets[u + 1]; b++)
        dots[m.userItems[a]][m.userItems[b]] += m.userValues[a] * m.userValues[b];
  const offsets = new Uint32Array(n + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    const all: [number, number][] = [];
    for (let j = 0; j < n; j++)
      if (j !== i && dots[i][j] > 0)
        all.push([j, Math.fround(dots[i][j] / (sq[i] ** 0.5 * sq[j] ** 0.5))]);
    all.sort((x, y) => y[1] - x[1] || compareIds(log.itemIds[x[0]], log.itemIds[y[0]]));
    for (const [j, s] of all.slice(0, k)) {
      indices.push(j);
      scores.push(s);
    }
    offsets[i + 1] = indices.length;
  }
  return {
    itemIds: log.itemIds,
    offsets,
    indices: Uint32Array.from(indices),
    scores: Float32Array.from(scores),
  };
}

describe('buildNeighbours on the worked example', () => {
  it('computes cosine c_ij / sqrt(n_i n_j), best first', () => {
    const l = listsOf(buildNeighbours(logOf(WORKED), { binary: true }));
    close(l.a, [
      ['b', 2 / Math.sqrt(6)],
      ['c', 1 / Math.sqrt(6)],
    ]);
    close(l.b, [
      ['a', 2 / Math.sqrt(6)],
      ['c', 2 / 3],
    ]);
    close(l.c, [
      ['b', 2 / 3],
      ['d', 1 / Math.sqrt(3)],
      ['a', 1 / Math.sqrt(6)],
    ]);
    close(l.d, [['c', 1 / Math.sqrt(3)]]);
  });

  it('computes jaccard c / (n_i + n_j - c)', () => {
    const l = listsOf(buildNeighbours(logOf(WORKED), { binary: true, similarity: 'jaccard' }));
    close(l.a, [
      ['b', 2 / 3],
      ['c', 1 / 4],
    ]);
    close(l.c, [
      ['b', 1 / 2],
      ['d', 1 / 3],
      ['a', 1 / 4],
    ]);
  });

  it('computes conditional probability P(j|i) = c / n_i, ties by id', () => {
    const l = listsOf(buildNeighbours(logOf(WORKED), { binary: true, similarity: 'conditional' }));
    close(l.a, [
      ['b', 1],
      ['c', 1 / 2],
    ]);
    close(l.b, [
      ['a', 2 / 3],
      ['c', 2 / 3],
    ]);
    close(l.c, [
      ['b', 2 / 3],
      ['a', 1 / 3],
      ['d', 1 / 3],
    ]);
    close(l.d, [['c', 1]]);
  });

  it('damps popular neighbours with conditional alpha', () => {
    const l = listsOf(
      buildNeighbours(logOf(WORKED), { binary: true, similarity: 'conditional', alpha: 1 }),
    );
    // c -> b: 2 / (3 * 3); c -> a: 1 / (3 * 2); c -> d: 1 / (3 * 1).
    close(l.c, [
      ['d', 1 / 3],
      ['b', 2 / 9],
      ['a', 1 / 6],
    ]);
  });

  it('shrinks by n / (n + shrinkage)', () => {
    const l = listsOf(buildNeighbours(logOf(WORKED), { binary: true, shrinkage: 1 }));
    close(l.a, [
      ['b', (2 / Math.sqrt(6)) * (2 / 3)],
      ['c', (1 / Math.sqrt(6)) * (1 / 2)],
    ]);
  });

  it('keeps only the top K', () => {
    const l = listsOf(buildNeighbours(logOf(WORKED), { binary: true, k: 1 }));
    expect(l).toEqual({
      a: [['b', expect.any(Number)]],
      b: [['a', expect.any(Number)]],
      c: [['b', expect.any(Number)]],
      d: [['c', expect.any(Number)]],
    });
  });

  it('weights a pair by its strongest event type', () => {
    // u0 bought a and viewed b; u1 viewed a and b. Values: u0 (a 8, b 1), u1 (a 1, b 1).
    const log = logOf([
      ['u0', 'a', 'view'],
      ['u0', 'a', 'purchase'],
      ['u0', 'b', 'view'],
      ['u1', 'a', 'view'],
      ['u1', 'b', 'view'],
    ]);
    const l = listsOf(buildNeighbours(log));
    close(l.a, [['b', (8 + 1) / (Math.sqrt(65) * Math.sqrt(2))]]);
  });

  it('counts only the listed types (bought together)', () => {
    const log = logOf([
      ['u0', 'a', 'purchase'],
      ['u0', 'b', 'view'],
      ['u0', 'c', 'add_to_cart'],
    ]);
    const l = listsOf(buildNeighbours(log, { types: ['add_to_cart', 'purchase'] }));
    expect(l.a.map(([id]) => id)).toEqual(['c']);
    expect(l.b).toEqual([]);
  });

  it('never lets dismissals and impressions count by default', () => {
    const log = logOf([
      ['u0', 'a', 'view'],
      ['u0', 'b', 'dismiss'],
      ['u1', 'a', 'impression'],
      ['u1', 'b', 'view'],
    ]);
    expect(listsOf(buildNeighbours(log)).a).toEqual([]);
  });

  it('keeps the most recent items of a heavy user', () => {
    const log = logOf([
      ['bot', 'a', 'view', 1],
      ['bot', 'b', 'view', 3],
      ['bot', 'c', 'view', 2],
    ]);
    const l = listsOf(buildNeighbours(log, { maxItemsPerUser: 2, binary: true }));
    expect(l.a).toEqual([]);
    expect(l.b.map(([id]) => id)).toEqual(['c']);
  });

  it('breaks score ties by item id, numeric ids in numeric order', () => {
    // Item 7 co-occurs with 10, 9 and x once each, all with one user: equal scores.
    const log = logOf([
      ['u', '7'],
      ['u', 'x'],
      ['u', '10'],
      ['u', '9'],
    ]);
    const l = listsOf(buildNeighbours(log, { binary: true }));
    expect(l['7'].map(([id]) => id)).toEqual(['9', '10', 'x']);
  });

  it('halves old interactions with halfLifeDays', () => {
    const day = 86_400_000;
    const log = logOf([
      ['u0', 'a', 'view', 0],
      ['u0', 'b', 'view', 0],
      ['u1', 'a', 'view', 10 * day],
      ['u1', 'c', 'view', 10 * day],
    ]);
    const l = listsOf(buildNeighbours(log, { halfLifeDays: 10 }));
    // The old co-occurrence (a, b) weighs 1/4 of the recent one (a, c) in the dot product.
    expect(l.a.map(([id]) => id)).toEqual(['c', 'b']);
  });

  it('refuses bad options with exact messages', () => {
    const log = logOf(WORKED);
    const err = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        expect(isLikewiseError(e, 'INVALID_OPTION')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('did not throw');
    };
    expect(err(() => buildNeighbours(log, { k: 0 }))).toBe('k must be a positive integer, got 0');
    expect(err(() => buildNeighbours(log, { rows: [2, 9] }))).toBe(
      'rows must be [start, end] with 0 <= start <= end <= 4, got [2, 9]',
    );
    expect(err(() => buildNeighbours(log, { similarity: 'pearson' as never }))).toBe(
      "similarity must be 'cosine', 'jaccard', 'conditional' or 'sequence', got pearson",
    );
  });
});

describe('buildNeighbours invariants', () => {
  const log = syntheticLog({ users: 300, items: 120, seed: 7 });

  it('cosine is symmetric and never recommends an item to itself', () => {
    const n = buildNeighbours(log, { k: 1000 });
    const sim = new Map<string, number>();
    for (let i = 0; i < n.itemIds.length; i++)
      for (let p = n.offsets[i]; p < n.offsets[i + 1]; p++) {
        expect(n.indices[p]).not.toBe(i);
        sim.set(`${i},${n.indices[p]}`, n.scores[p]);
      }
    expect(sim.size).toBeGreaterThan(1000);
    for (const [key, s] of sim) {
      const [i, j] = key.split(',');
      expect(sim.get(`${j},${i}`)).toBeCloseTo(s, 6);
    }
  });

  it('lists are sorted by score, ties by id, and deterministic', () => {
    const a = buildNeighbours(log, { k: 20 });
    const b = buildNeighbours(log, { k: 20 });
    expect(b).toEqual(a);
    for (let i = 0; i < a.itemIds.length; i++)
      for (let p = a.offsets[i] + 1; p < a.offsets[i + 1]; p++) {
        const d = a.scores[p - 1] - a.scores[p];
        expect(d).toBeGreaterThanOrEqual(0);
        if (d === 0) {
          // 'sku-10' < 'sku-9': non-numeric ids sort by code unit.
          expect(a.itemIds[a.indices[p - 1]] < a.itemIds[a.indices[p]]).toBe(true);
        }
      }
  });

  it('keeps exactly the K best of rows with many candidates, for every K', () => {
    // Rows with far more candidates than K take the filtered selection.
    const big = syntheticLog({ users: 400, items: 300, seed: 11 });
    for (const k of [6, 9, 14, 25, 40])
      expect(buildNeighbours(big, { k })).toEqual(byFullSort(big, k));
  });

  it('keeps exactly the K best when the candidates a sample guesses from are the best few', () => {
    // x's only user has x, then 500 items; those where a sample of x's
    // candidates falls (27, evenly spaced) are nobody else's, so score 1,
    // while five other users share the rest (1 / sqrt(6)): far fewer than K
    // reach the sample's threshold, and every candidate goes on.
    const rows: Row[] = [['u0', 'x']];
    const sampled = new Set(Array.from({ length: 27 }, (_, x) => Math.floor((x * 500) / 27)));
    for (let t = 0; t < 500; t++) rows.push(['u0', `i${t}`]);
    for (let v = 1; v <= 5; v++)
      for (let t = 0; t < 500; t++) if (!sampled.has(t)) rows.push([`u${v}`, `i${t}`]);
    const log = logOf(rows);
    const got = buildNeighbours(log, { k: 50 });
    expect(got).toEqual(byFullSort(log, 50));
    const x = listsOf(got).x;
    expect(x.slice(0, 28).map(([, s]) => s)).toEqual([
      ...Array(27).fill(1),
      Math.fround(6 ** -0.5),
    ]);
    expect(x).toHaveLength(50);
  });

  it('builds of row ranges merge into the full build', () => {
    const full = buildNeighbours(log, { k: 15, similarity: 'jaccard', shrinkage: 3 });
    const parts = [
      [0, 37],
      [37, 38],
      [38, 120],
    ].map((rows) =>
      buildNeighbours(log, {
        k: 15,
        similarity: 'jaccard',
        shrinkage: 3,
        rows: rows as [number, number],
      }),
    );
    expect(parts[1].offsets[38] - parts[1].offsets[37]).toBe(full.offsets[38] - full.offsets[37]);
    expect(mergeNeighbours(parts)).toEqual(full);
  });
});

/** A gathered grouping: planned, then filled for every user. */
function gathered(log: InteractionLog, counted: Uint8Array) {
  const rows = planUserRows(log, counted);
  gatherUserRows(log, rows);
  return rows;
}

describe('shared builds (one grouping, one plan, row chunks)', () => {
  const log = syntheticLog();

  it('gives the same lists from a plan built in chunks as from one build', () => {
    const options = { k: 10, maxItemsPerUser: 5 };
    const full = buildNeighbours(log, options);
    const rows = groupRowsByUser(log, countedTypesOf(options));
    const plan = planNeighbours(buildUserItemMatrix(log, options, rows), log.itemIds, options);
    const n = log.itemIds.length;
    const cut = [0, Math.floor(n / 3), Math.floor(n / 2), n];
    const parts = [0, 1, 2].map((c) => ({
      itemIds: log.itemIds,
      ...buildNeighbourRows(plan, [cut[c], cut[c + 1]]),
    }));
    const merged = mergeNeighbours(parts);
    expect(merged.offsets).toEqual(full.offsets);
    expect(merged.indices).toEqual(full.indices);
    expect(merged.scores).toEqual(full.scores);
  });

  it('computes popularity from a shared grouping exactly as alone', () => {
    const rows = groupRowsByUser(log, countedTypesOf({}));
    expect(buildPopularity(log, { halfLifeDays: 3 }, rows)).toEqual(
      buildPopularity(log, { halfLifeDays: 3 }),
    );
  });

  /** The log without its columns: what a build given a gathered grouping may be left with. */
  const bare = () => ({
    ...log,
    users: new Uint32Array(0),
    items: new Uint32Array(0),
    types: new Uint8Array(0),
    times: new Float64Array(0),
  });

  it('builds the same matrix and lists from a gathered grouping, without the log columns', () => {
    // A cap of 5 bites for most users: the most recent pairs must be the same ones.
    const options = { k: 10, maxItemsPerUser: 5 };
    const rows = gathered(log, countedTypesOf(options));
    expect(rows.items?.length).toBe(rows.rowStart[log.userCount]);
    const m = buildUserItemMatrix(bare(), options, rows);
    expect(m).toEqual(buildUserItemMatrix(log, options));
    const lists = buildNeighbourRows(planNeighbours(m, log.itemIds, options));
    const full = buildNeighbours(log, options);
    expect(lists.indices).toEqual(full.indices);
    expect(lists.scores).toEqual(full.scores);
  });

  it('computes decayed popularity from a gathered grouping given now, without the log columns', () => {
    const rows = gathered(log, countedTypesOf({}));
    let now = Number.NEGATIVE_INFINITY;
    for (let r = 0; r < log.length; r++) now = Math.max(now, log.times[r]);
    expect(buildPopularity(bare(), { halfLifeDays: 3, now }, rows)).toEqual(
      buildPopularity(log, { halfLifeDays: 3 }),
    );
    let error: unknown;
    try {
      buildPopularity(bare(), { halfLifeDays: 3 }, rows);
    } catch (e) {
      error = e;
    }
    expect(isLikewiseError(error) && error.code).toBe('INVALID_INPUT');
  });

  it('regroups when the given grouping counted other event types', () => {
    const rows = groupRowsByUser(log, countedTypesOf({ types: ['purchase'] }));
    expect(buildNeighbours(log, { k: 5 }, rows)).toEqual(buildNeighbours(log, { k: 5 }));
  });
});
