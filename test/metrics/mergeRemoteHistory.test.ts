import { describe, expect, it } from 'vitest';
import { mergeRemoteHistory } from '../../src/metrics/mergeRemoteHistory';
import type { LikewiseEvent } from '../../src/types';

const e = (id: string, ts: number, extra: Partial<LikewiseEvent> = {}): LikewiseEvent => ({
  id,
  type: 'view',
  ts,
  session: 's',
  itemId: `i-${id}`,
  ...extra,
});

describe('mergeRemoteHistory', () => {
  it('merges by time, drops duplicate ids (local wins) and invalid remote entries', () => {
    const local = [e('a', 10), e('b', 30)];
    const remote = [
      e('b', 30, { itemId: 'changed' }),
      e('c', 20),
      { id: 'd', type: 'hack', ts: 5, session: 's' },
      'junk',
    ];
    const r = mergeRemoteHistory(local, remote);
    expect(r.events.map((x) => x.id)).toEqual(['a', 'c', 'b']);
    expect(r.events[2].itemId).toBe('i-b');
    expect(r).toMatchObject({ added: 1, rejected: 2 });
    expect(local).toHaveLength(2);
  });

  it('accepts {events: [...]}, strips unknown fields, keeps the newest maxEvents', () => {
    const r = mergeRemoteHistory(
      [e('a', 1)],
      { events: [{ ...e('b', 2), secret: 'x' }, e('c', 3)] },
      { maxEvents: 2 },
    );
    expect(r.events.map((x) => x.id)).toEqual(['b', 'c']);
    expect(r.events[0]).not.toHaveProperty('secret');
  });

  it('treats a non-list answer as one rejection and keeps local events', () => {
    expect(mergeRemoteHistory([e('a', 1)], { error: 'nope' })).toMatchObject({
      added: 0,
      rejected: 1,
    });
    expect(mergeRemoteHistory([e('a', 1)], null).events).toHaveLength(1);
  });
});
