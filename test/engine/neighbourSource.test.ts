import { describe, expect, it } from 'vitest';
import {
  blendSources,
  type NeighbourSource,
  neighbourSource,
  type RankedList,
} from '../../src/engine/neighbourSource';
import type { Neighbours } from '../../src/engine/types';

// a: b 0.9, c 0.5; b: a 0.9; c: none.
const MODEL: Neighbours = {
  itemIds: ['a', 'b', 'c'],
  offsets: Uint32Array.from([0, 2, 3, 3]),
  indices: Uint32Array.from([1, 2, 0]),
  scores: Float32Array.from([0.9, 0.5, 0.9]),
};

describe('neighbourSource', () => {
  it('lists an item neighbours best first, and nothing for an unknown item', () => {
    const source = neighbourSource(MODEL);
    const a = source.neighbours('a')!;
    expect(a.ids).toEqual(['b', 'c']);
    expect(Array.from(a.scores)).toEqual([Math.fround(0.9), 0.5]);
    expect(source.neighbours('c')?.ids).toEqual([]);
    expect(source.neighbours('zz')).toBeUndefined();
  });

  it('returns the same list again, so scenarios reuse the work done on it', () => {
    const source = neighbourSource(MODEL);
    expect(source.neighbours('a')).toBe(source.neighbours('a'));
  });
});

describe('blendSources', () => {
  const lists = (map: Record<string, RankedList>): NeighbourSource => ({
    neighbours: (id) => map[id],
  });
  const local = lists({ a: { ids: ['d', 'c', 'a'], scores: [0.4, 0.2, 1] } });

  it('adds the weighted local scores, best first, ties by id, never the item itself', () => {
    const shop = lists({ a: { ids: ['b', 'c'], scores: [0.5, 0.4] } });
    const list = blendSources(shop, local, 0.5).neighbours('a')!;
    // Local scores count in the shop's units (its best, 0.5): b 0.5,
    // c 0.4 + 0.5 * 0.2 * 0.5, d 0.5 * 0.4 * 0.5.
    expect(list.ids).toEqual(['b', 'c', 'd']);
    expect(Array.from(list.scores)).toEqual([0.5, 0.45, 0.1]);
  });

  it('keeps a list only one source has, scaled for local', () => {
    const shop = lists({ b: { ids: ['a'], scores: [0.7] } });
    const blend = blendSources(shop, local, 0.5);
    expect(blend.neighbours('b')).toBe(shop.neighbours('b'));
    expect(blend.neighbours('a')?.ids).toEqual(['d', 'c']);
    expect(Array.from(blend.neighbours('a')!.scores)).toEqual([0.2, 0.1]);
    expect(blendSources(shop, local, 0).neighbours('a')).toBeUndefined();
  });

  it('blends once per pair of lists, again when a source answers differently', () => {
    const map: Record<string, RankedList> = {};
    const blend = blendSources(lists(map), local, 1);
    const first = blend.neighbours('a')!;
    expect(blend.neighbours('a')).toBe(first);
    // The shop's shard for a arrives later: the blend follows.
    map.a = { ids: ['c'], scores: [1] };
    const second = blend.neighbours('a')!;
    expect(second).not.toBe(first);
    expect(second.ids).toEqual(['c', 'd']);
    expect(Array.from(second.scores)).toEqual([1.2, 0.4]);
  });

  it('refuses a weight that is not a finite number >= 0', () => {
    expect(() => blendSources(local, local, -1)).toThrow(
      'weight must be a finite number >= 0, got -1',
    );
  });
});
