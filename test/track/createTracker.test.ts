// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import type { StoreDeps } from '../../src/store/createConnection';
import { createEventStore } from '../../src/store/createEventStore';
import { createStateStore } from '../../src/store/createStateStore';
import { deleteSiteData } from '../../src/store/deleteSiteData';
import { createTracker, type TrackerOptions } from '../../src/track/createTracker';
import { counterIds, createFakeDisk, failOnUnhandled } from '../support/fakeStores';
import { faultyIndexedDB } from '../support/faultyIndexedDB';

failOnUnhandled();

function setup(options: Partial<TrackerOptions> = {}) {
  const disk = createFakeDisk();
  const errors: unknown[] = [];
  const tracker = createTracker({
    site: 'shop',
    consent: 'granted',
    sessionTimeout: 30 * 60_000,
    report: (e) => errors.push(e),
    now: () => 1000,
    randomId: counterIds(),
    hasIndexedDB: true,
    localStorage: null,
    ...disk.deps,
    ...options,
  });
  return { tracker, disk, errors };
}

describe('createTracker', () => {
  it('forget(): an event tracked just before is erased unannounced, one tracked just after is kept', async () => {
    const { tracker, disk } = setup();
    const seen: string[] = [];
    tracker.subscribe((e) => seen.push(e.itemId!));
    tracker.track({ type: 'view', itemId: 'before' });
    const done = tracker.forget();
    const after = tracker.track({ type: 'view', itemId: 'after' });
    await Promise.all([done, after]);
    expect(seen).toEqual(['after']);
    expect((await tracker.events()).map((e) => e.itemId)).toEqual(['after']);
    const stored = [...disk.dbs.values()].flatMap((db) => db.events);
    expect(stored.map((e) => e.itemId)).toEqual(['after']);
  });

  it('an event dated ahead of the clock does not hold later events in its session', async () => {
    let now = 1_700_000_000_000;
    const { tracker } = setup({ sessionTimeout: 1000, now: () => now });
    await tracker.track({ type: 'view', itemId: 'future', ts: now + 10 * 86_400_000 });
    await tracker.track({ type: 'view', itemId: 'same' });
    now += 5000;
    await tracker.track({ type: 'view', itemId: 'later' });
    const events = await tracker.events();
    const [future, same, later] = ['future', 'same', 'later'].map(
      (id) => events.find((e) => e.itemId === id)!,
    );
    expect(future.ts).toBe(1_700_000_000_000 + 10 * 86_400_000);
    expect(same.session).toBe(future.session);
    expect(later.session).not.toBe(same.session);
  });

  it('keeps at most maxEvents in memory while consent is pending', async () => {
    const { tracker, disk } = setup({ consent: 'pending', maxEvents: 2 });
    for (const id of ['a', 'b', 'c']) await tracker.track({ type: 'view', itemId: id });
    expect((await tracker.events()).map((e) => e.itemId)).toEqual(['b', 'c']);
    expect(tracker.state()).toBeNull();
    expect(disk.factoryCalls).toBe(0);
  });

  it('says where events go: memory until consent, then the store', async () => {
    const { tracker } = setup({ consent: 'pending', hasIndexedDB: true });
    expect(tracker.storage).toBe('memory');
    await tracker.setConsent('granted');
    expect(tracker.storage).toBe('indexeddb');
    const none = setup({ hasIndexedDB: false });
    expect(none.tracker.storage).toBe('memory');
  });

  it('RELIABILITY 17: an event tracked right before pagehide, with the database still cold, is on the next page', async () => {
    const idb = faultyIndexedDB();
    const m = new Map<string, string>();
    const localStorage = {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    };
    const page = (deps: StoreDeps, id: string, openTimeout?: number) =>
      setup({
        randomId: () => id,
        createEventStore: (o) => createEventStore({ ...o, openTimeout }, deps),
        createStateStore: (o) => createStateStore({ ...o, openTimeout }, deps),
        deleteSiteData: (site, d) => deleteSiteData(site, { ...d, ...deps }),
      });
    // IndexedDB does not open before the page is gone.
    idb.open = 'hang';
    const leaving = page({ indexedDB: idb.factory, localStorage }, 'left', 20);
    void leaving.tracker.track({ type: 'search', query: 'lamp' });
    window.dispatchEvent(new Event('pagehide'));
    leaving.tracker.destroy();

    idb.open = 'ok';
    const next = page({ indexedDB: idb.factory, localStorage }, 'next');
    const events = await next.tracker.events();
    expect(events.map((e) => [e.id, e.query])).toEqual([['left', 'lamp']]);
    // forget() erases the backup too: the next page after it sees nothing.
    await next.tracker.forget();
    expect(m.size).toBe(0);
    const after = page({ indexedDB: idb.factory, localStorage }, 'after');
    expect(await after.tracker.events()).toEqual([]);
    for (const p of [next, after]) p.tracker.destroy();
    // The page that left reports its timed-out open, if it lives that long; the others report nothing.
    expect([...next.errors, ...after.errors]).toEqual([]);
  });

  describe('a denial lasts (shopper stopped personalisation)', () => {
    const fakeStorage = () => {
      const m = new Map<string, string>();
      return {
        m,
        getItem: (k: string) => m.get(k) ?? null,
        setItem: (k: string, v: string) => void m.set(k, v),
        removeItem: (k: string) => void m.delete(k),
      };
    };

    it('the next page starts denied whatever the host default, and records, stores and announces nothing', async () => {
      const localStorage = fakeStorage();
      const first = setup({ localStorage });
      await first.tracker.track({ type: 'view', itemId: 'a' });
      await first.tracker.setConsent('denied');
      // The record: one key, the word "denied", no identifier; forget() left it.
      expect([...localStorage.m]).toEqual([['likewise-shop.consent', 'denied']]);
      expect(first.disk.deleted).toEqual(['shop']);

      const next = setup({ localStorage, consent: 'granted' });
      const seen: unknown[] = [];
      next.tracker.subscribe((e) => seen.push(e));
      expect(next.tracker.consent).toBe('denied');
      expect(next.tracker.storage).toBe('memory');
      await next.tracker.track({ type: 'view', itemId: 'b' });
      expect(await next.tracker.events()).toEqual([]);
      expect(seen).toEqual([]);
      expect(next.tracker.state()).toBeNull();
      expect(next.disk.factoryCalls).toBe(0);
      // Another site on the same origin is not affected.
      expect(setup({ localStorage, site: 'other' }).tracker.consent).toBe('granted');
    });

    it('an explicit grant ends it: the shopper opted in again', async () => {
      const localStorage = fakeStorage();
      await setup({ localStorage }).tracker.setConsent('denied');
      const next = setup({ localStorage, consent: 'granted' });
      await next.tracker.setConsent('pending');
      expect(localStorage.m.size).toBe(1);
      await next.tracker.setConsent('granted');
      expect(localStorage.m.size).toBe(0);
      await next.tracker.track({ type: 'view', itemId: 'c' });
      expect((await next.tracker.events()).map((e) => e.itemId)).toEqual(['c']);
      expect(setup({ localStorage, consent: 'granted' }).tracker.consent).toBe('granted');
    });

    it('without a usable localStorage the denial holds for the page, and nothing throws', async () => {
      const denied = () => {
        throw new DOMException('The operation is insecure.', 'SecurityError');
      };
      const localStorage = { getItem: denied, setItem: denied, removeItem: denied };
      const { tracker, errors } = setup({ localStorage });
      await tracker.setConsent('denied');
      await tracker.track({ type: 'view', itemId: 'd' });
      expect(await tracker.events()).toEqual([]);
      expect(tracker.consent).toBe('denied');
      expect(errors).toEqual([]);
    });
  });
});
