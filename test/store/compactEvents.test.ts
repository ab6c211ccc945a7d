import { describe, expect, it } from 'vitest';
import { EVENT_TYPES } from '../../src/shared/eventSchema';
import { compactEvents } from '../../src/store/compactEvents';
import { isValidEvent } from '../../src/store/isValidEvent';
import type { LikewiseEvent } from '../../src/types';

/**
 * An object store over a Map whose requests are answered a round at a time:
 * every request made before a round's turn (a macrotask) is answered in it,
 * in order, as IndexedDB runs a transaction's requests. `rounds` counts the
 * turns that answered something: how many times the caller waited.
 */
function roundStore(data: Map<string, unknown>) {
  const queue: (() => void)[] = [];
  let scheduled = false;
  const box = { rounds: 0 };
  const answer = <T>(run: () => T) => {
    const r = { result: undefined as T | undefined, onsuccess: null as null | (() => void) };
    queue.push(() => {
      r.result = run();
      r.onsuccess?.();
    });
    if (!scheduled) {
      scheduled = true;
      setTimeout(() => {
        scheduled = false;
        box.rounds++;
        for (const f of queue.splice(0)) f();
      }, 0);
    }
    return r;
  };
  const store = {
    get: (k: string) => answer(() => data.get(k)),
    getAllKeys: () => answer(() => [...data.keys()].sort()),
    delete: (k: string) => answer(() => data.delete(k)),
    put: (v: unknown, k: string) => answer(() => data.set(k, v)),
  } as unknown as IDBObjectStore;
  return { store, box };
}

const key = (e: LikewiseEvent, seq: number) =>
  `e:${1e15 + e.ts}:${seq}:${JSON.stringify(e).length}:${e.id}`;

describe('compactEvents', () => {
  it('compacts the oldest events into aggregates in one round of reads, whatever their number', async () => {
    const data = new Map<string, unknown>();
    const events: LikewiseEvent[] = Array.from({ length: 600 }, (_, i) => ({
      id: `ev-${i}`,
      type: i % 3 === 0 ? 'purchase' : 'view',
      ts: 1_700_000_000_000 + i,
      session: 's1',
      itemId: `sku-${i % 7}`,
    }));
    events.forEach((e, i) => void data.set(key(e, 1e9 + i), e));
    const { store, box } = roundStore(data);
    const at = 'aggregates';
    await compactEvents(store, {
      keys: async (s) => {
        const r = s.getAllKeys();
        await new Promise(
          (ok) => ((r as unknown as { onsuccess: () => void }).onsuccess = () => ok(0)),
        );
        return (r.result as string[]).filter((k) => k.startsWith('e:'));
      },
      max: 100,
      bytes: 1e9,
      at,
      isEvent: isValidEvent,
      types: EVENT_TYPES,
    });
    // Keys, the old aggregates, the 500 events (with their deletes): three waits.
    expect(box.rounds).toBeLessThanOrEqual(3);
    // The aggregates' put, not waited for (the transaction commits it).
    await new Promise((ok) => setTimeout(ok, 5));
    // The newest 100 stay; the 500 oldest are counted per item.
    const kept = [...data.keys()].filter((k) => k.startsWith('e:'));
    expect(kept).toEqual(events.slice(500).map((e, i) => key(e, 1e9 + 500 + i)));
    const aggs = data.get(at) as {
      itemId: string;
      counts: Record<string, number>;
      lastTs: number;
    }[];
    const gone = events.slice(0, 500);
    const want = new Map<string, { counts: Record<string, number>; lastTs: number }>();
    for (const e of gone) {
      const a = want.get(e.itemId as string) ?? { counts: {}, lastTs: 0 };
      a.counts[e.type] = (a.counts[e.type] ?? 0) + 1;
      a.lastTs = Math.max(a.lastTs, e.ts);
      want.set(e.itemId as string, a);
    }
    expect(aggs.map((a) => a.itemId)).toEqual(
      [...want].sort((x, y) => y[1].lastTs - x[1].lastTs).map(([id]) => id),
    );
    for (const a of aggs) expect(a).toEqual({ itemId: a.itemId, ...want.get(a.itemId) });
  });
});
