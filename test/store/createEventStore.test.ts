import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { createEventStore, type EventStoreOptions } from '../../src/store/createEventStore';
import { createStateStore } from '../../src/store/createStateStore';
import { deleteSiteData } from '../../src/store/deleteSiteData';
import { isValidEvent } from '../../src/store/isValidEvent';
import type { ItemAggregate, LikewiseEvent } from '../../src/types';
import {
  databaseNames,
  event,
  events,
  failOnUnhandledRejections,
  faultyIndexedDB,
  rawEntries,
  rawPut,
} from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

// The real check, counted (a long log is checked a slice per task).
vi.mock('../../src/store/isValidEvent', async (real) => {
  const m = await real<typeof import('../../src/store/isValidEvent')>();
  return { ...m, isValidEvent: vi.fn(m.isValidEvent) };
});

failOnUnhandledRejections();
afterEach(() => {
  vi.unstubAllGlobals();
});

const ids = (list: LikewiseEvent[]) => list.map((e) => e.id);
const errors = () => {
  const seen: LikewiseError[] = [];
  return { seen, onError: (e: LikewiseError) => seen.push(e) };
};
/** A store of site `s` (with `options`) on a fresh fault-injecting factory, and the errors it reports. */
const faultyStore = (options: Omit<EventStoreOptions, 'site' | 'onError'> = {}) => {
  const idb = faultyIndexedDB();
  const { seen, onError } = errors();
  const store = createEventStore(
    { site: 's', ...options, onError },
    { indexedDB: idb.factory, erase },
  );
  return { idb, seen, onError, store };
};

describe('createEventStore: basics', () => {
  it('opens nothing until first use, then keeps events oldest first in likewise-<site>.events', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, erase });
    expect(idb.opened).toEqual([]);
    expect(store.mode).toBe('indexeddb');
    // Same ts: insertion order breaks the tie; older ts first regardless of append order.
    await store.append([event(5, { id: 'z' }), event(5, { id: 'a' }), event(1)]);
    expect(ids(await store.events())).toEqual(['ev-1', 'z', 'a']);
    expect(await databaseNames(idb.real)).toEqual(['likewise-shop.events']);
  });

  it('writes one append in one transaction, one key per event', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 50));
    expect(idb.writes).toEqual(['likewise-shop.events']);
    const raw = await rawEntries(idb.real, 'likewise-shop.events');
    expect(raw).toHaveLength(50);
    expect(raw.every(([k]) => typeof k === 'string' && k.startsWith('e:'))).toBe(true);
  });

  it('events() sees appends that are not written yet', async () => {
    const store = createEventStore(
      { site: 'shop' },
      { indexedDB: faultyIndexedDB().factory, erase },
    );
    void store.append(events(0, 3));
    expect(ids(await store.events())).toEqual(['ev-0', 'ev-1', 'ev-2']);
  });

  it('invalid events are dropped and reported', async () => {
    const { seen, onError } = errors();
    const store = createEventStore(
      { site: 's', onError },
      { indexedDB: faultyIndexedDB().factory, erase },
    );
    await store.append([event(1), { ...event(2), type: 'hack' } as never]);
    expect(ids(await store.events())).toEqual(['ev-1']);
    expect(seen.map((e) => [e.code, e.message])).toEqual([
      ['STORAGE', 'Invalid stored data dropped'],
    ]);
  });

  it('keeps the session with the events: the next page reads it, compaction and reads leave it alone', async () => {
    const { idb, seen, onError, store: first } = faultyStore({ maxEvents: 2 });
    expect(await first.session()).toBeUndefined();
    await first.append(events(0, 2), { id: 'sess-1', last: 5 });
    await first.append(events(2, 5), { id: 'sess-1', last: 9 });
    first.close();
    const next = createEventStore(
      { site: 's', maxEvents: 2, onError },
      { indexedDB: idb.factory, erase },
    );
    expect(await next.session()).toEqual({ id: 'sess-1', last: 9 });
    expect(ids(await next.events())).toEqual(['ev-3', 'ev-4']);
    expect(await databaseNames(idb.real)).toEqual(['likewise-s.events']);
    expect(seen).toEqual([]);
  });

  it('a read started before an append does not see it; one started after does', async () => {
    const store = createEventStore({ site: 's' }, { indexedDB: faultyIndexedDB().factory, erase });
    await store.append(events(0, 3));
    const before = store.events();
    void store.append([event(9)]);
    const after = store.events();
    expect(ids(await before)).toEqual(['ev-0', 'ev-1', 'ev-2']);
    expect(ids(await after)).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-9']);
  });

  it('checks a long log a slice per task: the page runs in between, nothing is lost', async () => {
    const { seen, onError } = errors();
    const store = createEventStore(
      { site: 's', onError },
      { indexedDB: faultyIndexedDB().factory, erase },
    );
    await store.append([...events(0, 1200), { ...event(5000), type: 'hack' } as never]);
    const checked = vi.mocked(isValidEvent);
    checked.mockClear();
    // What the page's own tasks see of the check while the read goes on.
    const midway: number[] = [];
    let reading = true;
    const tick = () =>
      setTimeout(() => {
        const n = checked.mock.calls.length;
        if (n > 0 && n < 1201) midway.push(n);
        if (reading) tick();
      });
    tick();
    const list = await store.events();
    reading = false;
    expect(list).toHaveLength(1200);
    expect(ids(list).slice(-2)).toEqual(['ev-1198', 'ev-1199']);
    expect(midway.length).toBeGreaterThan(0);
    expect(seen.map((e) => e.message)).toEqual(['Invalid stored data dropped']);
  });
});

describe('createEventStore: RELIABILITY.md', () => {
  it('1: indexedDB undefined: memory mode, events kept, no throw', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const { seen, onError } = errors();
    const store = createEventStore({ site: 's', onError }, { erase });
    let done: Promise<void> | undefined;
    expect(() => {
      done = store.append(events(0, 3));
    }).not.toThrow();
    await done;
    expect(store.mode).toBe('memory');
    expect(ids(await store.events())).toEqual(['ev-0', 'ev-1', 'ev-2']);
    expect(seen.length).toBeGreaterThan(0);
  });

  it.each(['throw', 'error'] as const)('1: open %s: memory mode, events kept', async (mode) => {
    const idb = faultyIndexedDB();
    idb.open = mode;
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 3));
    await store.append(events(3, 5));
    expect(store.mode).toBe('memory');
    expect(ids(await store.events())).toEqual(['ev-0', 'ev-1', 'ev-2', 'ev-3', 'ev-4']);
    // Giving up is immediate: one open, never retried.
    expect(idb.opened).toHaveLength(1);
  });

  it('2: open never settles: memory mode after the 1 s default timeout, events kept', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const idb = faultyIndexedDB();
    idb.open = 'hang';
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    let resolved = false;
    void store.append(events(0, 2)).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(resolved).toBe(false);
    expect(store.mode).toBe('indexeddb');
    await vi.advanceTimersByTimeAsync(1);
    expect(resolved).toBe(true);
    expect(store.mode).toBe('memory');
    expect(ids(await store.events())).toEqual(['ev-0', 'ev-1']);
  });

  it('2: a slow open (a busy disk) that arrives after the timeout: events kept in memory meanwhile reach IndexedDB, and later writes go there', async () => {
    const idb = faultyIndexedDB();
    idb.open = 'slow';
    idb.openDelay = 80;
    const { seen, onError } = errors();
    const store = createEventStore(
      { site: 's', openTimeout: 20, onError },
      { indexedDB: idb.factory, erase },
    );
    await store.append(events(0, 3));
    expect(store.mode).toBe('memory');
    expect(seen.map((e) => e.code)).toEqual(['STORAGE']);
    await store.append(events(3, 5));
    await vi.waitFor(() => expect(store.mode).toBe('indexeddb'), { timeout: 1000 });
    await store.append(events(5, 7));
    expect(ids(await store.events())).toEqual(ids(events(0, 7)));
    // What a new page (a fresh connection) finds on disk: all of it, once.
    const stored = (await rawEntries(idb.real, 'likewise-s.events')).map(([, v]) => v);
    expect(ids(stored.flat() as LikewiseEvent[]).sort()).toEqual(ids(events(0, 7)).sort());
    // One open: the late connection is the one used.
    expect(idb.opened).toHaveLength(1);
  });

  it('2: a late connection is let go when the site was erased meanwhile (forget)', async () => {
    const idb = faultyIndexedDB();
    idb.open = 'slow';
    idb.openDelay = 60;
    const store = createEventStore(
      { site: 's', openTimeout: 10 },
      { indexedDB: idb.factory, erase },
    );
    await store.append(events(0, 2));
    expect(store.mode).toBe('memory');
    // Resolves only once the late connection has closed (it blocks the deletion until then).
    await deleteSiteData('s', { indexedDB: idb.factory, erase });
    await new Promise((r) => setTimeout(r, 100));
    expect(store.mode).toBe('memory');
    expect(await store.events()).toEqual([]);
    expect(await databaseNames(idb.real)).toEqual([]);
  });

  it('3: silent close: one reopen, the next 100 writes succeed, nothing lost', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 10));
    // Safari backgrounding: the connection dies without a close event.
    idb.connections[0].close();
    for (let i = 10; i < 110; i++) await store.append([event(i)]);
    expect(idb.opened).toHaveLength(2);
    expect(store.mode).toBe('indexeddb');
    expect(ids(await store.events())).toEqual(ids(events(0, 110)));
  });

  it('4: forced close mid-write: the failed write is retried, final count = events sent', async () => {
    const { idb, seen, store } = faultyStore();
    await store.append(events(0, 10));
    idb.fail({ kind: 'close' });
    await store.append(events(10, 20));
    await store.append(events(20, 30));
    expect(store.mode).toBe('indexeddb');
    expect(idb.writes).toHaveLength(4); // 1 + failed + its retry + 1
    expect(seen.map((e) => e.code)).toEqual(['STORAGE']);
    const raw = await rawEntries(idb.real, 'likewise-s.events');
    expect(raw).toHaveLength(30);
    expect(ids(await store.events())).toEqual(ids(events(0, 30)));
  });

  it('4b: a transaction that hangs (no event, ever) is given up after stallTimeout and the write retried on a new connection: nothing lost', async () => {
    const { idb, seen, store } = faultyStore({ stallTimeout: 50 });
    await store.append(events(0, 10));
    idb.fail({ kind: 'stall' });
    let done = false;
    const write = store.append(events(10, 20)).then(() => {
      done = true;
    });
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toBe(false);
    await write;
    expect(store.mode).toBe('indexeddb');
    expect(idb.opened).toHaveLength(2);
    expect(seen.map((e) => e.code)).toEqual(['STORAGE']);
    expect(seen[0].cause).toBe('timeout');
    // A read hangs the same way and is retried the same way.
    idb.fail({ kind: 'stall' });
    expect(ids(await store.events())).toEqual(ids(events(0, 20)));
    expect(idb.opened).toHaveLength(3);
    expect(await rawEntries(idb.real, 'likewise-s.events')).toHaveLength(20);
  });

  it('4c: every transaction hangs: memory after 3 attempts, the events kept, the next write answered from memory', async () => {
    const { idb, seen, store } = faultyStore({ stallTimeout: 20 });
    idb.fail({ kind: 'stall' }, Number.POSITIVE_INFINITY);
    await store.append(events(0, 5));
    expect(idb.writes).toHaveLength(3);
    expect(store.mode).toBe('memory');
    expect(seen.map((e) => e.code)).toEqual(['STORAGE', 'STORAGE', 'STORAGE']);
    expect(ids(await store.events())).toEqual(ids(events(0, 5)));
  });

  it('5: every write fails with UnknownError: memory after 3 failures, at most 3 attempts per write', async () => {
    const { idb, seen, store } = faultyStore();
    idb.fail(
      { kind: 'abort', error: () => new DOMException('Internal error', 'UnknownError') },
      Number.POSITIVE_INFINITY,
    );
    await store.append(events(0, 5));
    expect(idb.writes).toHaveLength(3);
    expect(store.mode).toBe('memory');
    expect(seen.map((e) => e.code)).toEqual(['STORAGE', 'STORAGE', 'STORAGE']);
    expect(seen[0].message).toBe('IndexedDB failed: likewise-s.events');
    expect((seen[0].cause as DOMException).name).toBe('UnknownError');
    await store.append(events(5, 8));
    expect(idb.writes).toHaveLength(3);
    // The batch in flight moved to memory: nothing lost.
    expect(ids(await store.events())).toEqual(ids(events(0, 8)));
  });

  it('6: another connection opens our database at a higher version: ours closes, theirs succeeds', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 3));
    const outcome = await new Promise<string>((resolve) => {
      const r = idb.real.open('likewise-s.events', 2);
      r.onblocked = () => resolve('blocked');
      r.onerror = () => resolve('error');
      r.onsuccess = () => {
        r.result.close();
        resolve('success');
      };
      // A bound so that a regression fails instead of hanging.
      setTimeout(() => resolve('timeout'), 1000);
    });
    expect(outcome).toBe('success');
    await store.append(events(3, 5));
    expect(idb.opened).toHaveLength(2);
    expect(ids(await store.events())).toEqual(ids(events(0, 5)));
  });

  it('6: the other connection succeeds within the 100 ms limit: on the versionchange itself, no timer needed', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 3));
    // Timers and the clock stand still; IndexedDB (setImmediate) still runs.
    // So the upgrade cannot wait on any timeout of ours: it takes 0 ms of timer time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'setInterval'] });
    try {
      let outcome = 'pending';
      const r = idb.real.open('likewise-s.events', 2);
      r.onblocked = () => (outcome = 'blocked');
      r.onerror = () => (outcome = 'error');
      r.onsuccess = () => {
        r.result.close();
        outcome = 'success';
      };
      for (let i = 0; i < 500 && outcome === 'pending'; i++)
        await new Promise((ok) => setImmediate(ok));
      expect(outcome).toBe('success');
    } finally {
      vi.useRealTimers();
    }
  });

  // Each append is a transaction here; test/createLikewise.integration.test.ts
  // has two tabs x 1,000 concurrent track() calls (a tab batches them by tick).
  it('7: two stores x 400 concurrent appends: exactly 800 stored, 0 duplicates', async () => {
    const idb = faultyIndexedDB();
    const tabA = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    const tabB = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 400; i++) {
      sent.push(tabA.append([event(i, { id: `a-${i}` })]));
      sent.push(tabB.append([event(i, { id: `b-${i}` })]));
      // Interleave many transactions of both tabs, not just one batch each.
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(sent);
    const raw = await rawEntries(idb.real, 'likewise-s.events');
    expect(raw).toHaveLength(800);
    const stored = raw.map(([, v]) => (v as LikewiseEvent).id);
    expect(new Set(stored).size).toBe(800);
    expect(await tabA.events()).toHaveLength(800);
    expect(idb.writes.length).toBeGreaterThan(2);
  });

  it('8: cap 1,000 with 1,500 appended: newest 1,000 kept, the rest compacted, consent untouched', async () => {
    const idb = faultyIndexedDB();
    const state = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await state.set('consent', { granted: true, at: 1 });
    const store = createEventStore(
      { site: 's', maxEvents: 1000 },
      { indexedDB: idb.factory, erase },
    );
    const types = ['view', 'click', 'add_to_cart', 'purchase'] as const;
    const all = events(0, 1500).map((e, i) => ({ ...e, type: types[i % 4] }));
    for (let i = 0; i < 1500; i += 100) await store.append(all.slice(i, i + 100));
    expect(ids(await store.events())).toEqual(ids(all.slice(500)));
    const expected = new Map<string, ItemAggregate>();
    for (const e of all.slice(0, 500)) {
      const a = expected.get(e.itemId!) ?? { itemId: e.itemId!, counts: {}, lastTs: 0 };
      a.counts[e.type] = (a.counts[e.type] ?? 0) + 1;
      a.lastTs = Math.max(a.lastTs, e.ts);
      expected.set(e.itemId!, a);
    }
    const aggs = await store.aggregates();
    expect(aggs).toHaveLength(7);
    expect(new Map(aggs.map((a) => [a.itemId, a]))).toEqual(expected);
    // Counts add up: nothing dropped silently.
    const total = aggs.reduce((s, a) => s + Object.values(a.counts).reduce((x, y) => x + y, 0), 0);
    expect(total).toBe(500);
    expect(await state.get('consent')).toEqual({ granted: true, at: 1 });
    expect(idb.deleted).toEqual([]);
  });

  it.each([
    ['QuotaExceededError', () => new DOMException('Quota exceeded', 'QuotaExceededError')],
    [
      'AbortError wrapping QuotaExceededError',
      () =>
        Object.assign(new DOMException('Transaction aborted', 'AbortError'), {
          inner: new DOMException('Quota exceeded', 'QuotaExceededError'),
        }),
    ],
    [
      'Firefox NS_ERROR_DOM_QUOTA_REACHED',
      () =>
        new DOMException('Persistent storage maximum size reached', 'NS_ERROR_DOM_QUOTA_REACHED'),
    ],
  ])('9: %s: append resolves, events database recreated, consent unchanged', async (_, error) => {
    const idb = faultyIndexedDB();
    const { seen, onError } = errors();
    const state = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await state.set('consent', 'granted');
    const store = createEventStore({ site: 's', onError }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 5));
    idb.fail({ kind: 'abort', error }, 1, 'likewise-s.events');
    await expect(store.append(events(5, 8))).resolves.toBeUndefined();
    expect(idb.deleted).toEqual(['likewise-s.events']);
    expect(seen.map((e) => [e.code, e.message])).toEqual([
      ['QUOTA', 'IndexedDB failed: likewise-s.events'],
    ]);
    expect(store.mode).toBe('indexeddb');
    // The old (disposable) events went with the database; the batch was retried into the new one.
    expect(ids(await store.events())).toEqual(ids(events(5, 8)));
    expect(await rawEntries(idb.real, 'likewise-s.events')).toHaveLength(3);
    expect(await state.get('consent')).toBe('granted');
    expect(await databaseNames(idb.real)).toEqual(['likewise-s', 'likewise-s.events']);
  });

  it('9: quota again after recovery: memory mode, events kept', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    idb.fail(
      { kind: 'abort', error: () => new DOMException('full', 'QuotaExceededError') },
      Number.POSITIVE_INFINITY,
    );
    await store.append(events(0, 3));
    expect(idb.writes).toHaveLength(3);
    expect(idb.deleted).toEqual(['likewise-s.events']);
    expect(store.mode).toBe('memory');
    expect(ids(await store.events())).toEqual(ids(events(0, 3)));
  });

  it('14: tampered stored records are dropped, reported once, the rest read back as data', async () => {
    const { idb, seen, store } = faultyStore({ maxEvents: 6 });
    const html = event(1, {
      query: '<img src=x onerror=alert(1)><script>x</script>',
      type: 'search',
    });
    // A field this store does not know yet (added to the contract later) is kept.
    const newer = { ...event(2), widget: 'home-similar', scenario: 'similar', seen: true };
    await store.append([event(0), html, newer as LikewiseEvent]);
    const bad: unknown[] = [
      null,
      'text',
      42,
      [event(3)],
      { ...event(3), id: 5 },
      { ...event(3), id: 'x'.repeat(257) },
      { ...event(3), ts: 'yesterday' },
      { ...event(3), ts: Number.NaN },
      { ...event(3), type: 'hack' },
      { ...event(3), query: 'x'.repeat(5 * 1024 * 1024) },
      { ...event(3), extra: { nested: 'object' } },
      { ...event(3), extra: 'x'.repeat(4097) },
      { ...event(3), quantity: 'two' },
      { ...event(3), items: [{ itemId: 'a', items: [{ itemId: 'b', price: 'free' }] }] },
      { ...event(3), items: [{ itemId: 3 }] },
      { ...event(3), items: 'a,b' },
      { type: 'view', ts: 1, session: 's' },
    ];
    await rawPut(
      idb.real,
      'likewise-s.events',
      bad.map((v, i) => [`e:000000000000000:${i}:10:bad-${i}`, v]),
    );
    await rawPut(idb.real, 'likewise-s.events', [
      [
        'a',
        [
          { itemId: 'x', counts: { view: 'many' }, lastTs: 1 },
          { itemId: 'y', counts: { view: 2 }, lastTs: 3 },
          { itemId: 'z', counts: { hack: 2 }, lastTs: 3 },
          null,
        ],
      ],
      [7, 'numeric key'],
    ]);
    const back = await store.events();
    expect(ids(back)).toEqual(['ev-0', 'ev-1', 'ev-2']);
    expect(back[1].query).toBe(html.query);
    expect(back[2]).toEqual(newer);
    expect(await store.aggregates()).toEqual([{ itemId: 'y', counts: { view: 2 }, lastTs: 3 }]);
    expect(seen).toHaveLength(1);
    // Compaction over tampered victims neither crashes nor falls back to memory.
    await store.append(events(10, 16));
    expect(store.mode).toBe('indexeddb');
    expect(ids(await store.events())).toEqual(ids(events(10, 16)));
    expect(seen).toHaveLength(1);
  });

  it('15: two sites on one origin: distinct databases, no cross-reads', async () => {
    const idb = faultyIndexedDB();
    const a = createEventStore({ site: 'shop-a' }, { indexedDB: idb.factory, erase });
    const b = createEventStore({ site: 'shop_b' }, { indexedDB: idb.factory, erase });
    await a.append([event(1)]);
    await b.append([event(2), event(3)]);
    expect(ids(await a.events())).toEqual(['ev-1']);
    expect(ids(await b.events())).toEqual(['ev-2', 'ev-3']);
    expect(await databaseNames(idb.real)).toEqual([
      'likewise-shop-a.events',
      'likewise-shop_b.events',
    ]);
  });
});

describe('createEventStore: bounds', () => {
  it('clock skew: times jumping days back and forth across pages and compactions lose nothing', async () => {
    const idb = faultyIndexedDB();
    const DAY = 86_400_000;
    const jumps = [0, 3, -2, 5, -6, 1, 0, -1, 4, -3];
    let n = 0;
    const all: LikewiseEvent[] = [];
    for (const [page, days] of jumps.entries()) {
      // A new page (a new store on the same origin) with the clock `days` off.
      const store = createEventStore(
        { site: 'k', maxEvents: 20 },
        { indexedDB: idb.factory, erase },
      );
      const batch = Array.from({ length: 6 }, (_, i) =>
        event(n++, { ts: 1_700_000_000_000 + days * DAY + page * 60_000 + i }),
      );
      all.push(...batch);
      await store.append(batch);
    }
    const store = createEventStore({ site: 'k', maxEvents: 20 }, { indexedDB: idb.factory, erase });
    const kept = await store.events();
    // The newest 20 by time are kept, oldest first; the others are counted in the aggregates.
    const byTime = [...all].sort((a, b) => a.ts - b.ts);
    expect(ids(kept)).toEqual(ids(byTime.slice(-20)));
    const counted = (await store.aggregates()).reduce(
      (s, a) => s + Object.values(a.counts).reduce((x, y) => x + (y ?? 0), 0),
      0,
    );
    expect(counted + kept.length).toBe(all.length);
  });

  it('compacts by bytes when events are large', async () => {
    const store = createEventStore(
      { site: 's', maxBytes: 1000 },
      { indexedDB: faultyIndexedDB().factory, erase },
    );
    const big = events(0, 20, { query: 'q'.repeat(150) });
    await store.append(big);
    const kept = await store.events();
    const bytes = kept.reduce((s, e) => s + JSON.stringify(e).length, 0);
    expect(bytes).toBeLessThanOrEqual(1000);
    expect(ids(kept)).toEqual(ids(big.slice(20 - kept.length)));
    expect(kept.length).toBeGreaterThan(2);
  });

  it('counts purchase line items per item and bounds aggregates to the freshest maxEvents items', async () => {
    const store = createEventStore(
      { site: 's', maxEvents: 3 },
      { indexedDB: faultyIndexedDB().factory, erase },
    );
    const purchase = event(0, {
      type: 'purchase',
      itemId: undefined,
      items: [{ itemId: 'p', quantity: 2 }, { itemId: 'q' }],
    });
    await store.append([purchase, ...events(1, 4, { itemId: 'p' })]);
    expect(await store.aggregates()).toEqual([
      { itemId: 'p', counts: { purchase: 1 }, lastTs: purchase.ts },
      { itemId: 'q', counts: { purchase: 1 }, lastTs: purchase.ts },
    ]);
    // 10 more items pushed out of the raw log: only the 3 freshest aggregates stay.
    await store.append(events(10, 23).map((e, i) => ({ ...e, itemId: `n-${i}` })));
    const aggs = await store.aggregates();
    expect(aggs.map((a) => a.itemId).sort()).toEqual(['n-7', 'n-8', 'n-9']);
  });

  it('memory mode is bounded and compacts too', async () => {
    const idb = faultyIndexedDB();
    idb.open = 'throw';
    const store = createEventStore({ site: 's', maxEvents: 10 }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 25));
    expect(ids(await store.events())).toEqual(ids(events(15, 25)));
    const aggs = await store.aggregates();
    expect(aggs.reduce((s, a) => s + (a.counts.view ?? 0), 0)).toBe(15);
  });

  it('compaction whose code cannot load: reported, nothing lost, done at the next write', async () => {
    const { store, seen, part } = withErasePart(10, true);
    await expect(store.append(events(0, 15))).resolves.toBeUndefined();
    expect(seen.map((e) => [e.code, e.message, (e.cause as Error).message])).toEqual([
      ['STORAGE', 'IndexedDB failed: likewise-s.events', 'offline'],
    ]);
    expect(ids(await store.events())).toEqual(ids(events(0, 15)));
    part.offline = false;
    await store.append(events(15, 16));
    expect(ids(await store.events())).toEqual(ids(events(6, 16)));
    expect((await store.aggregates()).reduce((s, a) => s + (a.counts.view ?? 0), 0)).toBe(6);
  });
});

describe('createEventStore: aggregates', () => {
  it('their check is in the erase part: one that cannot load gives [] and is reported, the next read works', async () => {
    const { store, seen, part } = withErasePart(2, false);
    await store.append(events(0, 5));
    part.offline = true;
    await expect(store.aggregates()).resolves.toEqual([]);
    expect(seen.map((e) => [e.code, e.message, (e.cause as Error).message])).toEqual([
      ['STORAGE', 'IndexedDB failed: likewise-s.events', 'offline'],
    ]);
    part.offline = false;
    // The freshest two (maxEvents) of the three compacted items.
    expect((await store.aggregates()).map((a) => a.itemId).sort()).toEqual(['item-1', 'item-2']);
  });
});

/** A store of `maxEvents` whose `erase` part fails to load while `part.offline`. */
function withErasePart(maxEvents: number, offline: boolean) {
  const { seen, onError } = errors();
  const part = { offline };
  const store = createEventStore(
    { site: 's', maxEvents, onError },
    {
      indexedDB: faultyIndexedDB().factory,
      erase: () => (part.offline ? Promise.reject(Error('offline')) : erase()),
    },
  );
  return { store, seen, part };
}

/** A Map-backed `localStorage` the test can read, tamper with and break. */
const webStorage = () => {
  const m = new Map<string, string>();
  return {
    m,
    broken: false,
    getItem(k: string) {
      if (this.broken) throw new DOMException('The operation is insecure.', 'SecurityError');
      return m.get(k) ?? null;
    },
    setItem(k: string, v: string) {
      if (this.broken) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      m.set(k, v);
    },
    removeItem(k: string) {
      m.delete(k);
    },
  };
};
const BACKUP = 'likewise-shop.events';
const settle = () => new Promise((r) => setTimeout(r, 30));

describe('createEventStore: unload backup (RELIABILITY 17)', () => {
  it('an event flushed while the database is still cold is on the next page, once, and the copy goes', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    // The page being left: its open never completes before it is gone.
    idb.open = 'hang';
    const leaving = createEventStore(
      { site: 'shop', openTimeout: 10 },
      { indexedDB: idb.factory, localStorage: ls },
    );
    leaving.flushNow?.([event(1, { id: 'last' })]);
    expect(ls.m.has(BACKUP)).toBe(true);

    idb.open = 'ok';
    const next = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: ls });
    await next.append([event(2, { id: 'new' })]);
    expect(ids(await next.events())).toEqual(['last', 'new']);
    await settle();
    expect((await rawEntries(idb.real, BACKUP)).map(([, v]) => (v as LikewiseEvent).id)).toEqual([
      'last',
      'new',
    ]);
    expect(ls.m.has(BACKUP)).toBe(false);
  });

  it('a read alone takes the backup back (a next page that tracks nothing)', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    idb.open = 'hang';
    createEventStore(
      { site: 'shop', openTimeout: 10 },
      { indexedDB: idb.factory, localStorage: ls },
    ).flushNow?.(events(0, 3));
    idb.open = 'ok';
    const next = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: ls });
    expect(ids(await next.events())).toEqual(['ev-0', 'ev-1', 'ev-2']);
  });

  it('an event that landed in IndexedDB and in the backup is stored once', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    const leaving = createEventStore(
      { site: 'shop' },
      { indexedDB: idb.factory, localStorage: ls },
    );
    leaving.flushNow?.(events(0, 2));
    // The next page starts before the leaving one has removed its copy.
    const next = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: ls });
    await next.append([event(5)]);
    await settle();
    expect(ids(await next.events())).toEqual(['ev-0', 'ev-1', 'ev-5']);
    expect(await rawEntries(idb.real, BACKUP)).toHaveLength(3);
    expect(ls.m.has(BACKUP)).toBe(false);
  });

  it('a page that stays (tab hidden, then back) removes its copy once the write commits', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    const store = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: ls });
    const e = event(0);
    const written = store.append([e]);
    // The page's events not yet committed (the tracker's memory), again: their keys are kept.
    store.flushNow?.([e]);
    expect(ls.m.has(BACKUP)).toBe(true);
    await written;
    expect(ls.m.has(BACKUP)).toBe(false);
    expect(ids(await store.events())).toEqual(['ev-0']);
  });

  it('ignores a tampered backup: bad JSON, foreign keys, invalid events, mismatched ids', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    const { seen, onError } = errors();
    ls.m.set(BACKUP, '{not json');
    const a = createEventStore(
      { site: 'shop', onError },
      { indexedDB: idb.factory, localStorage: ls, erase },
    );
    await a.append([event(0)]);
    expect(ids(await a.events())).toEqual(['ev-0']);

    const ok = event(1, { id: 'ok' });
    ls.m.set(
      BACKUP,
      JSON.stringify([
        ['a', [{ itemId: 'x', counts: { view: 99 }, lastTs: 1 }]],
        ['e:1:1:1:ok', { ...ok, title: '<img src=x onerror=alert(1)>'.repeat(20) }],
        ['e:1:1:1:other', ok],
        ['e:1:1:1:ok', ok],
        'junk',
      ]),
    );
    const b = createEventStore(
      { site: 'shop', onError },
      { indexedDB: idb.factory, localStorage: ls, erase },
    );
    // Only the well-formed entry comes back (its odd key sorts after real ones).
    expect(ids(await b.events())).toEqual(['ev-0', 'ok']);
    expect(await b.aggregates()).toEqual([]);
    expect(seen).toEqual([]);
  });

  it('works without a usable localStorage (throwing or full): IndexedDB alone, no throw', async () => {
    const idb = faultyIndexedDB();
    const ls = webStorage();
    ls.broken = true;
    const store = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: ls });
    expect(() => store.flushNow?.([event(0)])).not.toThrow();
    await settle();
    expect(ids(await store.events())).toEqual(['ev-0']);
    const none = createEventStore({ site: 'shop' }, { indexedDB: idb.factory, localStorage: null });
    expect(() => none.flushNow?.([event(1)])).not.toThrow();
  });

  it('keeps at most 200 events in the backup', () => {
    const ls = webStorage();
    const idb = faultyIndexedDB();
    idb.open = 'hang';
    createEventStore(
      { site: 'shop', openTimeout: 10 },
      { indexedDB: idb.factory, localStorage: ls },
    ).flushNow?.(events(0, 250));
    const saved = JSON.parse(ls.m.get(BACKUP)!) as [string, LikewiseEvent][];
    expect(saved).toHaveLength(200);
    expect(saved[0][1].id).toBe('ev-50');
  });

  it('17: the unload copy is at most 64 KB of JSON, however large the events: the newest that fit', () => {
    const ls = webStorage();
    const idb = faultyIndexedDB();
    idb.open = 'hang';
    const writes: number[] = [];
    const setItem = ls.setItem.bind(ls);
    ls.setItem = (k: string, v: string) => {
      writes.push(new TextEncoder().encode(v).length);
      setItem(k, v);
    };
    // 200 events of about 2 KB (the tracker's limit): about 400 KB unbounded.
    const big = events(0, 200).map((e) => ({
      ...e,
      query: '€'.repeat(250),
      rec: 'r'.repeat(256),
      widget: 'w'.repeat(64),
    }));
    createEventStore(
      { site: 'shop', openTimeout: 10 },
      { indexedDB: idb.factory, localStorage: ls },
    ).flushNow?.(big);
    expect(writes.length).toBeGreaterThan(0);
    for (const bytes of writes) expect(bytes).toBeLessThanOrEqual(65_536);
    const saved = JSON.parse(ls.m.get(BACKUP)!) as [string, LikewiseEvent][];
    // The newest ones, in order, as many as fit.
    expect(saved.map(([, e]) => e.id)).toEqual(big.slice(-saved.length).map((e) => e.id));
    expect(saved.length).toBeGreaterThan(40);
    expect(writes.at(-1)).toBeGreaterThan(60_000);
  });
});

describe('createEventStore: a full origin (RELIABILITY 9, 10)', () => {
  const full = () => new DOMException('full', 'QuotaExceededError');
  const eventKeys = async (idb: ReturnType<typeof faultyIndexedDB>) =>
    (await rawEntries(idb.real, 'likewise-s.events'))
      .filter(([k]) => k !== 'a')
      .map(([, e]) => (e as LikewiseEvent).id);

  it('recovers at the first quota error even when an earlier attempt failed otherwise', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await store.append(events(0, 5));
    // Chromium on a full origin: "Backend aborted error" first, then quota.
    idb.fail({
      kind: 'abort',
      error: () => new DOMException('Backend aborted error', 'InvalidStateError'),
    });
    idb.fail({ kind: 'abort', error: full });
    await store.append(events(5, 8));
    expect(idb.deleted).toEqual(['likewise-s.events']);
    expect(store.mode).toBe('indexeddb');
    expect(await eventKeys(idb)).toEqual(ids(events(5, 8)));
  });

  it('after a failed recovery, memory mode lasts until a retry finds room; held events are written once, in order', async () => {
    const { idb, seen, store } = faultyStore({ maxEvents: 6, retryDelay: 10 });
    // The operation's 3 attempts, then the first retry's 3: still full.
    idb.fail({ kind: 'abort', error: full }, 6);
    await store.append(events(0, 3));
    expect(store.mode).toBe('memory');
    await store.append(events(3, 9));
    // Bounded in memory as on disk: the oldest compacted into aggregates.
    expect(ids(await store.events())).toEqual(ids(events(3, 9)));
    await vi.waitFor(() => expect(idb.writes.length).toBeGreaterThan(3));
    await vi.waitFor(async () => expect(await eventKeys(idb)).toEqual(ids(events(3, 9))), {
      timeout: 2000,
    });
    expect(store.mode).toBe('indexeddb');
    // Recovered once per failing operation (the first and the retry), never more.
    expect(idb.deleted).toEqual(['likewise-s.events', 'likewise-s.events']);
    expect(seen.every((e) => e.code === 'QUOTA')).toBe(true);
    const aggregates = await store.aggregates();
    expect(aggregates.map((a) => a.itemId).sort()).toEqual(['item-0', 'item-1', 'item-2']);
    // Writes go straight to IndexedDB again.
    await store.append(events(9, 10));
    expect(await eventKeys(idb)).toEqual(ids(events(4, 10)));
    expect(ids(await store.events())).toEqual(ids(events(4, 10)));
  });

  it('erasing the site during the backoff: the retry never recreates the database', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's', retryDelay: 5 }, { indexedDB: idb.factory, erase });
    idb.fail({ kind: 'abort', error: full }, 3);
    await store.append(events(0, 3));
    expect(store.mode).toBe('memory');
    const writes = idb.writes.length;
    await deleteSiteData('s', { indexedDB: idb.factory, erase });
    await new Promise((r) => setTimeout(r, 60));
    await store.append(events(3, 4));
    expect(idb.writes).toHaveLength(writes);
    expect(await databaseNames(idb.real)).toEqual([]);
    expect(store.mode).toBe('memory');
  });

  it('other failures still give up IndexedDB for the page (no retry)', async () => {
    const idb = faultyIndexedDB();
    const store = createEventStore({ site: 's', retryDelay: 5 }, { indexedDB: idb.factory, erase });
    idb.fail({ kind: 'abort', error: () => new DOMException('x', 'UnknownError') }, 3);
    await store.append(events(0, 3));
    await new Promise((r) => setTimeout(r, 60));
    expect(idb.writes).toHaveLength(3);
    expect(store.mode).toBe('memory');
  });
});
