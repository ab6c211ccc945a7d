import { describe, expect, it } from 'vitest';
import { buildNeighbours } from '../../src/engine/buildNeighbours';
import { denseSimilarity } from '../../src/engine/denseSimilarity';
import { isLikewiseError } from '../../src/errors';
import { logOf, WORKED } from './fixtures';
import { syntheticLog } from './synthetic';

describe('denseSimilarity', () => {
  it('gives the same lists as the sparse cosine build', async () => {
    const log = syntheticLog({ users: 120, items: 80, seed: 11 });
    const dense = await denseSimilarity(log, { k: 10 });
    const sparse = buildNeighbours(log, { k: 10 });
    expect([...dense.offsets]).toEqual([...sparse.offsets]);
    expect([...dense.indices]).toEqual([...sparse.indices]);
    for (let x = 0; x < dense.scores.length; x++)
      expect(dense.scores[x]).toBeCloseTo(sparse.scores[x], 5);
  });

  it('refuses blocks too big for dense memory', async () => {
    await expect(denseSimilarity(logOf(WORKED), { maxItems: 3 })).rejects.toSatisfy(
      (e: unknown) =>
        isLikewiseError(e, 'INVALID_INPUT') &&
        (e as Error).message ===
          'denseSimilarity handles at most 3 items, got 4: use buildNeighbours',
    );
  });
});
