import { describe, expect, it, vi } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { failure } from '../../src/store/createConnection';
import { createEventStore } from '../../src/store/createEventStore';
import { createStateStore } from '../../src/store/createStateStore';
import { deleteSiteData } from '../../src/store/deleteSiteData';
import {
  databaseNames,
  events,
  failOnUnhandledRejections,
  faultyIndexedDB,
  rawPut,
} from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

failOnUnhandledRejections();

const ids = (list: { id: string }[]) => list.map((e) => e.id);

const fill = async (idb: ReturnType<typeof faultyIndexedDB>, site: string) => {
  const store = createEventStore({ site }, { indexedDB: idb.factory, erase });
  const state = createStateStore({ site }, { indexedDB: idb.factory, erase });
  await store.append(events(0, 5));
  await state.set('consent', 'granted');
  // A database an older version kept (the outbox had one of its own).
  await rawPut(idb.real, `likewise-${site}.outbox`, [['b1', [1]]]);
  return { store, state };
};

describe('deleteSiteData', () => {
  it('RELIABILITY 23: removes every SDK database of the site even while writes fail', async () => {
    const idb = faultyIndexedDB();
    const { store, state } = await fill(idb, 's');
    await fill(idb, 'other');
    // A database of a later SDK version, found through databases().
    await rawPut(idb.real, 'likewise-s.future', [['k', 1]]);
    idb.fail(
      { kind: 'abort', error: () => new DOMException('x', 'UnknownError') },
      Number.POSITIVE_INFINITY,
    );
    const writing = [store.append(events(5, 9)), state.set('anon', 'a')];
    const seen: LikewiseError[] = [];
    await expect(
      deleteSiteData('s', { indexedDB: idb.factory, onError: (e) => seen.push(e) }),
    ).resolves.toBeUndefined();
    await Promise.all(writing);
    await store.append(events(9, 10));
    expect(await databaseNames(idb.real)).toEqual([
      'likewise-other',
      'likewise-other.events',
      'likewise-other.outbox',
    ]);
    // The site's stores in this page carry on in memory, empty of what was erased.
    expect(store.mode).toBe('memory');
    expect(await state.get('consent')).toBeUndefined();
    expect(seen).toEqual([]);
  });

  it("removes the site's unload backup and prefetch hint from localStorage, and no other site's", async () => {
    const idb = faultyIndexedDB();
    const m = new Map<string, string>();
    const localStorage = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
    idb.open = 'hang';
    for (const site of ['shop', 'shop-2'])
      createEventStore(
        { site, openTimeout: 10 },
        { indexedDB: idb.factory, localStorage },
      ).flushNow?.(events(0, 2));
    expect([...m.keys()]).toEqual(['likewise-shop.events', 'likewise-shop-2.events']);
    // The widgets' prefetch hints (src/startWidgets.ts).
    for (const site of ['shop', 'shop-2']) localStorage.setItem(`likewise-${site}.recent`, '["a"]');
    await deleteSiteData('shop', { indexedDB: idb.real, localStorage });
    expect([...m.keys()]).toEqual(['likewise-shop-2.events', 'likewise-shop-2.recent']);
  });

  it('forgetting site shop leaves site shop-2 intact, in this page and on disk', async () => {
    const idb = faultyIndexedDB();
    const shop = await fill(idb, 'shop');
    const shop2 = await fill(idb, 'shop-2');
    await deleteSiteData('shop', { indexedDB: idb.factory });
    expect(await databaseNames(idb.real)).toEqual([
      'likewise-shop-2',
      'likewise-shop-2.events',
      'likewise-shop-2.outbox',
    ]);
    expect(shop.store.mode).toBe('memory');
    expect(shop2.store.mode).toBe('indexeddb');
    expect(await shop2.state.get('consent')).toBe('granted');
    expect(ids(await shop2.store.events())).toEqual(ids(events(0, 5)));
  });

  it("site a's parts cannot collide with site a-events", async () => {
    const idb = faultyIndexedDB();
    await fill(idb, 'a');
    await fill(idb, 'a-events');
    expect(await databaseNames(idb.real)).toHaveLength(6);
    await deleteSiteData('a-events', { indexedDB: idb.factory });
    expect(await databaseNames(idb.real)).toEqual([
      'likewise-a',
      'likewise-a.events',
      'likewise-a.outbox',
    ]);
  });

  it('without indexedDB.databases(): deletes the known names, the session\u2019s included', async () => {
    const idb = faultyIndexedDB();
    await fill(idb, 's');
    // Older versions kept the session in a database of its own.
    await rawPut(idb.real, 'likewise-s.session', [['session', { id: 's1', last: 1 }]]);
    idb.noDatabases = true;
    await deleteSiteData('s', { indexedDB: idb.factory });
    expect(await databaseNames(idb.real)).toEqual([]);
  });

  it('resolves after a bounded wait when a foreign connection blocks, deletion completes later', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const idb = faultyIndexedDB();
    await fill(idb, 's');
    const blocker = await new Promise<IDBDatabase>((resolve) => {
      const r = idb.real.open('likewise-s');
      r.onsuccess = () => resolve(r.result);
    });
    let done = false;
    void deleteSiteData('s', { indexedDB: idb.factory }).then(() => {
      done = true;
    });
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(await databaseNames(idb.real)).toEqual(['likewise-s']);
    blocker.close();
    await vi.waitFor(async () => expect(await databaseNames(idb.real)).toEqual([]));
  });

  it('never rejects or throws when IndexedDB is missing: reports instead', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const seen: LikewiseError[] = [];
    // With the core's failure reporter, as the instance passes it.
    await expect(
      deleteSiteData('s', { onError: (e) => seen.push(e), failure }),
    ).resolves.toBeUndefined();
    expect(seen.map((e) => [e.code, e.message])).toEqual([
      ['STORAGE', 'IndexedDB failed: likewise-s'],
      ['STORAGE', 'IndexedDB failed: likewise-s.events'],
      ['STORAGE', 'IndexedDB failed: likewise-s.outbox'],
      ['STORAGE', 'IndexedDB failed: likewise-s.session'],
    ]);
    vi.unstubAllGlobals();
  });
});
