import { describe, expect, it } from 'vitest';
import { insertionSort, selectBest, TopK } from '../../src/engine/topK';

// Seeded so a failure reproduces.
function lcg(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a / 2 ** 32;
  };
}

/** The best `need` items by score descending, then rank ascending, by a plain sort. */
function expected(scores: number[], rank: Uint32Array, need: number): number[] {
  return scores
    .map((_, i) => i)
    .sort((a, b) => scores[b] - scores[a] || rank[a] - rank[b])
    .slice(0, need);
}

describe('selectBest', () => {
  it('keeps the best pairs in order, ties by id rank, whatever the input order', () => {
    const random = lcg(7);
    for (const [n, need] of [
      [1, 1],
      [5, 10],
      [60, 50],
      [500, 50],
      [3000, 10],
    ]) {
      // Few distinct scores: most comparisons are ties decided by rank.
      const given = Array.from({ length: n }, () => Math.floor(random() * 7) / 7);
      const rank = Uint32Array.from({ length: n }, (_, i) => (i * 7919) % n);
      const scores = Float64Array.from(given);
      const items = Int32Array.from({ length: n }, (_, i) => i);
      selectBest(scores, items, rank, 0, n, Math.min(need, n));
      expect([...items.subarray(0, Math.min(need, n))]).toEqual(expected(given, rank, need));
    }
  });

  it('insertion sort orders a range by score, then id rank', () => {
    const scores = Float64Array.from([0.5, 0.9, 0.5, 0.1]);
    const items = Int32Array.from([0, 1, 2, 3]);
    const rank = Uint32Array.from([3, 0, 1, 2]);
    insertionSort(scores, items, rank, 0, 3);
    expect([...items]).toEqual([1, 2, 0, 3]);
  });
});

describe('TopK', () => {
  it('returns the same top K as a full sort', () => {
    const random = lcg(11);
    const n = 2000;
    const given = Array.from({ length: n }, () => Math.floor(random() * 40));
    const rank = Uint32Array.from({ length: n }, (_, i) => n - 1 - i);
    const top = new TopK(10, rank);
    for (let i = 0; i < n; i++) top.push(i, given[i]);
    const got = top.sorted();
    expect([...top.items.subarray(0, got)]).toEqual(expected(given, rank, 10));
  });
});
