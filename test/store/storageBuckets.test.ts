// The events database in a storage bucket of its own (Chromium 122+), so
// that a full origin is recovered by deleting the bucket: Chromium gives a
// deleted bucket's space back at once, a deleted database's not
// (test/browser/quota.test.ts shows both in the real browser). Here the
// browser's `navigator.storageBuckets` is a fake whose buckets are
// fake-indexeddb factories.
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { createEventStore } from '../../src/store/createEventStore';
import { createStateStore } from '../../src/store/createStateStore';
import { bucketName } from '../../src/store/databaseName';
import { deleteSiteData } from '../../src/store/deleteSiteData';
import type { LikewiseEvent } from '../../src/types';
import {
  databaseNames,
  events,
  type FaultyIndexedDB,
  failOnUnhandledRejections,
  faultyIndexedDB,
  rawEntries,
} from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

failOnUnhandledRejections();
afterEach(() => {
  vi.unstubAllGlobals();
});

/** The page's default IndexedDB and a fake `navigator.storageBuckets` beside it. */
function browserWithBuckets({ refuse = false } = {}) {
  const main = faultyIndexedDB();
  const buckets = new Map<string, FaultyIndexedDB>();
  const deleted: string[] = [];
  const api = {
    async open(name: string) {
      if (refuse) throw new TypeError('The bucket name is not valid');
      if (!buckets.has(name)) buckets.set(name, faultyIndexedDB());
      return { indexedDB: buckets.get(name)!.factory };
    },
    async delete(name: string) {
      deleted.push(name);
      // A deleted bucket's connections are closed by the browser.
      for (const c of buckets.get(name)?.connections ?? []) c.close();
      buckets.delete(name);
    },
  };
  vi.stubGlobal('indexedDB', main.factory);
  vi.stubGlobal('navigator', { storageBuckets: api });
  return { main, buckets, deleted };
}

const ids = (list: LikewiseEvent[]) => list.map((e) => e.id);
const stored = async (idb: FaultyIndexedDB, name: string) =>
  (await rawEntries(idb.real, name))
    .map(([, e]) => (e as LikewiseEvent).id)
    .filter((id) => typeof id === 'string');

describe('bucketName', () => {
  it('keeps sites apart in the bucket alphabet', () => {
    expect(bucketName('shop')).toBe('likewise-shop');
    const names = ['Shop', 'shop', '_shop', 'a_b', 'aB', 'a-events', 'a'].map((s) => bucketName(s));
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });
});

describe('the events database in a storage bucket of its own', () => {
  it('lives in bucket likewise-<site> with the session; consent and state stay in the default one', async () => {
    const { main, buckets } = browserWithBuckets();
    const store = createEventStore({ site: 'shop' });
    const state = createStateStore({ site: 'shop' });
    await store.append(events(0, 3), { id: 's1', last: 1 });
    await state.set('consent', 'granted');
    expect([...buckets.keys()]).toEqual(['likewise-shop']);
    expect(await databaseNames(buckets.get('likewise-shop')!.real)).toEqual([
      'likewise-shop.events',
    ]);
    const bucket = buckets.get('likewise-shop')!;
    expect(await stored(bucket, 'likewise-shop.events')).toEqual(ids(events(0, 3)));
    expect(await store.session()).toEqual({ id: 's1', last: 1 });
    expect(await databaseNames(main.real)).toEqual(['likewise-shop']);
    expect(ids(await store.events())).toEqual(ids(events(0, 3)));
  });

  it('a quota error deletes the bucket, and the write lands in a fresh one at once', async () => {
    const { main, buckets, deleted } = browserWithBuckets();
    const seen: LikewiseError[] = [];
    const store = createEventStore({ site: 's', onError: (e) => seen.push(e) }, { erase });
    await store.append(events(0, 3));
    const first = buckets.get('likewise-s')!;
    first.fail({ kind: 'abort', error: () => new DOMException('full', 'QuotaExceededError') });
    await store.append(events(3, 5));
    expect(deleted).toEqual(['likewise-s']);
    // The database was never deleted on its own: the bucket went whole.
    expect(first.deleted).toEqual([]);
    expect(main.deleted).toEqual([]);
    const fresh = buckets.get('likewise-s')!;
    expect(fresh).not.toBe(first);
    expect(store.mode).toBe('indexeddb');
    expect(await stored(fresh, 'likewise-s.events')).toEqual(ids(events(3, 5)));
    expect(seen.map((e) => e.code)).toEqual(['QUOTA']);
  });

  it('deleteSiteData deletes the bucket, never another site\u2019s', async () => {
    const { buckets, deleted } = browserWithBuckets();
    const mine = createEventStore({ site: 'a' });
    const theirs = createEventStore({ site: 'a-events' });
    await mine.append(events(0, 2));
    await theirs.append(events(0, 2));
    await deleteSiteData('a');
    expect(deleted).toEqual(['likewise-a']);
    expect([...buckets.keys()]).toEqual(['likewise-a-events']);
    expect(ids(await theirs.events())).toEqual(ids(events(0, 2)));
  });

  it('a bucket that will not open leaves the database in the default one', async () => {
    const { main, buckets } = browserWithBuckets({ refuse: true });
    const store = createEventStore({ site: 'shop' });
    await store.append(events(0, 2));
    expect(buckets.size).toBe(0);
    expect(store.mode).toBe('indexeddb');
    expect(await stored(main, 'likewise-shop.events')).toEqual(ids(events(0, 2)));
  });

  it('after a refused bucket, a quota error deletes the database in the default one', async () => {
    const { main, buckets, deleted } = browserWithBuckets({ refuse: true });
    const seen: LikewiseError[] = [];
    const store = createEventStore({ site: 's', onError: (e) => seen.push(e) }, { erase });
    await store.append(events(0, 3));
    main.fail({ kind: 'abort', error: () => new DOMException('full', 'QuotaExceededError') }, 1);
    await store.append(events(3, 5));
    // Deleting the (never opened) bucket would free nothing: the database itself goes.
    expect(deleted).toEqual([]);
    expect(main.deleted).toEqual(['likewise-s.events']);
    expect(buckets.size).toBe(0);
    expect(store.mode).toBe('indexeddb');
    expect(await stored(main, 'likewise-s.events')).toEqual(ids(events(3, 5)));
    expect(seen.map((e) => e.code)).toEqual(['QUOTA']);
  });

  it('the page\u2019s own indexedDB passed in (as createLikewise does) still gets the bucket', async () => {
    const { main, buckets } = browserWithBuckets();
    const store = createEventStore({ site: 'shop' }, { indexedDB: main.factory });
    await store.append(events(0, 2));
    expect([...buckets.keys()]).toEqual(['likewise-shop']);
    expect(await databaseNames(main.real)).toEqual([]);
    await deleteSiteData('shop', { indexedDB: main.factory });
    expect(buckets.size).toBe(0);
  });

  it('an injected indexedDB is used as given, with no bucket', async () => {
    const { buckets } = browserWithBuckets();
    const own = faultyIndexedDB();
    const store = createEventStore({ site: 'shop' }, { indexedDB: own.factory });
    await store.append(events(0, 2));
    expect(buckets.size).toBe(0);
    expect(await stored(own, 'likewise-shop.events')).toEqual(ids(events(0, 2)));
  });
});
