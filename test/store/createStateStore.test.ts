import { afterEach, describe, expect, it, vi } from 'vitest';
import type { LikewiseError } from '../../src/errors';
import { createStateStore } from '../../src/store/createStateStore';
import {
  databaseNames,
  failOnUnhandledRejections,
  faultyIndexedDB,
  rawEntries,
} from '../support/faultyIndexedDB';
import { erase } from '../support/parts';

failOnUnhandledRejections();
afterEach(() => {
  vi.unstubAllGlobals();
});

describe('createStateStore', () => {
  it('is a lazy key-value store in likewise-<site>', async () => {
    const idb = faultyIndexedDB();
    const state = createStateStore({ site: 'shop' }, { indexedDB: idb.factory, erase });
    expect(idb.opened).toEqual([]);
    await state.set('consent', { granted: true });
    await state.set('anon', 'a-1');
    expect(await state.get('consent')).toEqual({ granted: true });
    expect((await state.keys()).sort()).toEqual(['anon', 'consent']);
    await state.del('anon');
    expect(await state.get('anon')).toBeUndefined();
    expect(await state.keys()).toEqual(['consent']);
    expect(await databaseNames(idb.real)).toEqual(['likewise-shop']);
    expect(state.mode).toBe('indexeddb');
  });

  it('shares data between two instances (tabs) of the same site', async () => {
    const idb = faultyIndexedDB();
    const tabA = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    const tabB = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await tabA.set('consent', 'granted');
    expect(await tabB.get('consent')).toBe('granted');
  });

  it('RELIABILITY 1: no IndexedDB: memory mode, values kept, no throw', async () => {
    vi.stubGlobal('indexedDB', undefined);
    const seen: LikewiseError[] = [];
    const state = createStateStore({ site: 's', onError: (e) => seen.push(e) }, { erase });
    await state.set('consent', 'granted');
    expect(state.mode).toBe('memory');
    expect(await state.get('consent')).toBe('granted');
    expect(await state.keys()).toEqual(['consent']);
    expect(seen[0].code).toBe('STORAGE');
  });

  it('RELIABILITY 2: open never settles: memory mode after openTimeout', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const idb = faultyIndexedDB();
    idb.open = 'hang';
    const state = createStateStore(
      { site: 's', openTimeout: 200 },
      { indexedDB: idb.factory, erase },
    );
    const got = state.get('consent');
    await vi.advanceTimersByTimeAsync(200);
    expect(await got).toBeUndefined();
    expect(state.mode).toBe('memory');
  });

  it('RELIABILITY 3: silent close: reopens once and keeps working', async () => {
    const idb = faultyIndexedDB();
    const state = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await state.set('a', 1);
    idb.connections[0].close();
    // Three operations on one dead connection count as one failure, not three.
    await Promise.all([state.set('b', 2), state.get('a'), state.keys()]);
    expect(state.mode).toBe('indexeddb');
    expect(idb.opened).toHaveLength(2);
    expect(await state.get('b')).toBe(2);
  });

  it('RELIABILITY 5: failing writes: memory mode after 3 attempts, last known values still served', async () => {
    const idb = faultyIndexedDB();
    const state = createStateStore({ site: 's' }, { indexedDB: idb.factory, erase });
    await state.set('consent', 'granted');
    idb.fail(
      { kind: 'abort', error: () => new DOMException('x', 'UnknownError') },
      Number.POSITIVE_INFINITY,
    );
    await state.set('session', 'z');
    expect(idb.writes).toHaveLength(4);
    expect(state.mode).toBe('memory');
    expect(await state.get('consent')).toBe('granted');
    expect(await state.get('session')).toBe('z');
  });

  it('RELIABILITY 9: a quota error never deletes the state database', async () => {
    const idb = faultyIndexedDB();
    const seen: LikewiseError[] = [];
    const state = createStateStore(
      { site: 's', onError: (e) => seen.push(e) },
      { indexedDB: idb.factory, erase },
    );
    await state.set('consent', 'granted');
    idb.fail({ kind: 'abort', error: () => new DOMException('full', 'QuotaExceededError') });
    await state.set('anon', 'a-1');
    expect(idb.deleted).toEqual([]);
    expect(seen.map((e) => e.code)).toEqual(['STORAGE']);
    expect(await state.get('consent')).toBe('granted');
    expect(await state.get('anon')).toBe('a-1');
  });

  it('after quota failures, values set in memory reach IndexedDB once a retry finds room', async () => {
    const idb = faultyIndexedDB();
    const state = createStateStore(
      { site: 's', retryDelay: 10 },
      { indexedDB: idb.factory, erase },
    );
    await state.set('consent', 'granted');
    idb.fail({ kind: 'abort', error: () => new DOMException('full', 'QuotaExceededError') }, 3);
    await state.set('session', 'z');
    expect(state.mode).toBe('memory');
    expect(idb.deleted).toEqual([]);
    await vi.waitFor(async () =>
      expect(new Map(await rawEntries(idb.real, 'likewise-s'))).toEqual(
        new Map([
          ['consent', 'granted'],
          ['session', 'z'],
        ]),
      ),
    );
    expect(state.mode).toBe('indexeddb');
    expect(await state.get('session')).toBe('z');
  });
});
