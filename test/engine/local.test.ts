import { describe, expect, it } from 'vitest';
import { buildPopularity } from '../../src/engine/buildPopularity';
import { compareIds, idRanks } from '../../src/engine/compareIds';
import { eventsToLog } from '../../src/engine/eventsToLog';
import { localNeighbourSource } from '../../src/engine/localNeighbourSource';
import { blendSources, type NeighbourSource } from '../../src/engine/neighbourSource';
import type { LikewiseEvent } from '../../src/types';
import { logOf } from './fixtures';

const ev = (
  session: string,
  itemId: string,
  ts: number,
  type: LikewiseEvent['type'] = 'view',
): LikewiseEvent => ({
  id: `${session}-${itemId}-${ts}`,
  type,
  ts,
  session,
  itemId,
});

describe('compareIds', () => {
  it('orders numeric ids numerically, before other ids', () => {
    expect(['b', '10', 'a', '9', '010'].sort(compareIds)).toEqual(['9', '10', '010', 'a', 'b']);
    expect([...idRanks(['b', '10', '9'])]).toEqual([2, 1, 0]);
  });
});

describe('eventsToLog', () => {
  it('makes sessions users and expands multi-item purchases', () => {
    const events: LikewiseEvent[] = [
      ev('s1', 'a', 1),
      {
        id: 'p',
        type: 'purchase',
        ts: 2,
        session: 's1',
        items: [{ itemId: 'b' }, { itemId: 'c' }],
      },
      { id: 'q', type: 'search', ts: 3, session: 's2', query: 'hat' },
      ev('s2', 'a', 4),
    ];
    const log = eventsToLog(events);
    expect(log.userIds).toEqual(['s1', 's2']);
    expect(log.itemIds).toEqual(['a', 'b', 'c']);
    expect(log.length).toBe(4);
    expect([...log.users]).toEqual([0, 0, 0, 1]);
    expect([...log.types]).toEqual([0, 4, 4, 0]);
  });
});

describe('on-device learning', () => {
  const local = localNeighbourSource([
    ev('s1', 'a', 1),
    ev('s1', 'n', 2),
    ev('s2', 'a', 3),
    ev('s2', 'n', 4),
  ]);

  it('learns co-occurrence from local sessions', () => {
    expect(local.neighbours('a')?.ids).toEqual(['n']);
  });

  it('blends the shop model with the local one', () => {
    const shop: NeighbourSource = {
      neighbours: (id) => (id === 'a' ? { ids: ['b', 'n'], scores: [0.9, 0.2] } : undefined),
    };
    const blended = blendSources(shop, local, 1);
    // n: 0.2 from the shop + 1 * 1 locally.
    const list = blended.neighbours('a')!;
    expect(list.ids).toEqual(['n', 'b']);
    expect(list.scores[0]).toBeCloseTo(1.2, 6);
    expect(blendSources(shop, local, 0).neighbours('a')?.ids).toEqual(['b', 'n']);
    expect(blended.neighbours('n')?.ids).toEqual(['a']);
  });
});

describe('buildPopularity', () => {
  const day = 86_400_000;
  const log = logOf([
    ['u0', 'a', 'view', 0],
    ['u0', 'a', 'view', 0],
    ['u1', 'a', 'view', 0],
    ['u2', 'b', 'view', 10 * day],
    ['u3', 'c', 'dismiss', 10 * day],
  ]);

  it('counts distinct users', () => {
    expect([...buildPopularity(log)]).toEqual([2, 1, 0]);
  });

  it('decays old interest (trending)', () => {
    const pop = buildPopularity(log, { halfLifeDays: 5 });
    expect(pop[0]).toBeCloseTo(2 * 0.25, 6);
    expect(pop[1]).toBeCloseTo(1, 6);
  });
});
