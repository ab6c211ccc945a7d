import { describe, expect, it } from 'vitest';
import { compareIds, idRanks } from '../../src/engine/compareIds';
import { rng } from './synthetic';

/** The ranks by definition: ids sorted by compareIds, equal ids by index. */
function ranksBySort(ids: readonly string[]): number[] {
  const order = ids.map((_, i) => i).sort((x, y) => compareIds(ids[x], ids[y]) || x - y);
  const ranks = new Array<number>(ids.length);
  order.forEach((i, r) => {
    ranks[i] = r;
  });
  return ranks;
}

describe('idRanks', () => {
  it('ranks numbers in numeric order, then other ids in code-unit order', () => {
    expect([...idRanks(['b', '10', '9', '007', 'a', '0'])]).toEqual([5, 2, 1, 3, 4, 0]);
  });

  it('ranks as a sort by compareIds does, with equal ids by index, for every kind of catalogue', () => {
    const random = rng(11);
    const number = (digits: number) =>
      String(Math.floor(random() * 10 ** digits)).replace(/^0+(?=.)/, '');
    const kinds: Record<string, () => string> = {
      'short numbers': () => number(1 + Math.floor(random() * 9)),
      'long numbers': () =>
        number(1 + Math.floor(random() * 15)) + (random() < 0.3 ? '123456789' : ''),
      mixed: () => (random() < 0.5 ? number(4) : `sku-${number(3)}`),
      'numbers with leading zeros': () => `0${number(3)}`,
    };
    for (const [kind, make] of Object.entries(kinds)) {
      const ids = Array.from({ length: 3000 }, make);
      // Some ids twice: ranks still a permutation, the earlier index first.
      for (let x = 0; x < 50; x++) ids[Math.floor(random() * ids.length)] = ids[x];
      expect([...idRanks(ids)], kind).toEqual(ranksBySort(ids));
    }
  });
});
