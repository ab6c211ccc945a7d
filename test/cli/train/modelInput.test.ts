// @vitest-environment node
import { describe, expect, it } from 'vitest';
import { modelInput } from '../../../src/cli/train/modelInput';

const lists = (pairs: number) => ({
  itemIds: ['a', 'b'],
  offsets: Uint32Array.from([0, pairs, pairs]),
  indices: new Uint32Array(pairs),
  scores: new Float32Array(pairs),
});
const settings = {
  out: 'model',
  k: 20,
  similarity: 'cosine' as const,
  togetherK: 5,
  halfLifeDays: 0,
  scoreBits: 8 as const,
  maxItemsPerUser: 500,
};

describe('modelInput', () => {
  it("records train's settings and what the build read, the same for either build", () => {
    const input = modelInput(
      { neighbours: lists(1), together: lists(1), popularity: [1, 2] },
      settings,
      { events: 9, skipped: 1, users: 3 },
    );
    expect(input).toMatchObject({
      k: 20,
      similarity: 'cosine',
      togetherK: 5,
      togetherTypes: ['add_to_cart', 'purchase'],
      popularityHalfLifeDays: undefined,
      config: undefined,
      stats: { events: 9, skipped: 1, users: 3, pairs: 1, togetherPairs: 1 },
    });
  });

  it('keeps a half-life above 0 and counts no together pairs without together lists', () => {
    const input = modelInput(
      { neighbours: lists(1) },
      { ...settings, halfLifeDays: 7 },
      { events: 1, skipped: 0, users: 1 },
    );
    expect(input.popularityHalfLifeDays).toBe(7);
    expect(input.stats?.togetherPairs).toBe(0);
  });
});
