// @vitest-environment happy-dom
// createLikewise with the real stores (src/store) on fake-indexeddb: what the
// fakes cannot show, i.e. that "nothing is opened" holds for IndexedDB itself.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLikewise, type LikewiseOptions } from '../src/createLikewise';
import type { LikewiseError } from '../src/errors';
import { fakeLocks } from './support/fakeLocks';
import { failOnUnhandled } from './support/fakeStores';
import { faultyIndexedDB, rawEntries } from './support/faultyIndexedDB';
import { loadPart } from './support/parts';

failOnUnhandled();
// A denial is remembered in localStorage (one per site): each test starts as a new visitor.
afterEach(() => {
  localStorage.clear();
  vi.unstubAllGlobals();
});

/** A promise and what settles it: an `erase` part that loads when the test says. */
function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((r) => {
    open = r;
  });
  return { open, opened };
}

function setup(factory: IDBFactory, options: Partial<LikewiseOptions> = {}) {
  const errors: LikewiseError[] = [];
  const lw = createLikewise(
    { site: 'int', onError: (e) => errors.push(e), ...options },
    { indexedDB: factory, load: loadPart },
  );
  return { lw, errors };
}

/** An instance (a tab) whose `erase` part loads once `erase()` resolves: late, never, or not at all. */
function tabLoadingErase(factory: IDBFactory, erase: () => Promise<unknown>) {
  const errors: LikewiseError[] = [];
  const lw = createLikewise(
    { site: 'int', onError: (e) => errors.push(e) },
    {
      indexedDB: factory,
      load: (name) => (name === 'erase' ? erase().then(() => loadPart(name)) : loadPart(name)),
    },
  );
  return { lw, errors };
}

const names = async (factory: IDBFactory) => (await factory.databases()).map((d) => d.name).sort();

describe('createLikewise with the real store', () => {
  it('pending opens no database at all; grant persists; a reload continues', async () => {
    const factory = new IDBFactory();
    const open = vi.spyOn(factory, 'open');
    const { lw, errors } = setup(factory, { consent: 'pending' });
    await lw.track({ type: 'view', itemId: 'a', email: 'x@y.z' } as never);
    await lw.track({ type: 'view', itemId: 'b' });
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['a', 'b']);
    expect(open).not.toHaveBeenCalled();
    expect(await names(factory)).toEqual([]);

    await lw.setConsent('granted');
    expect(open).toHaveBeenCalled();
    expect(await names(factory)).toEqual(['likewise-int', 'likewise-int.events']);
    expect(lw.storage).toBe('indexeddb');
    lw.destroy();

    const reload = setup(factory);
    await reload.lw.track({ type: 'click', itemId: 'c' });
    const events = await reload.lw.events();
    expect(events.map((e) => e.itemId)).toEqual(['a', 'b', 'c']);
    expect(new Set(events.map((e) => e.session)).size).toBe(1);
    expect(JSON.stringify(events)).not.toContain('x@y.z');
    expect([...errors, ...reload.errors]).toEqual([]);
    reload.lw.destroy();
  });

  it('deny from pending opens nothing; withdrawal and forget delete every database', async () => {
    const factory = new IDBFactory();
    const open = vi.spyOn(factory, 'open');
    const pending = setup(factory, { consent: 'pending' });
    await pending.lw.track({ type: 'view', itemId: 'a' });
    await pending.lw.setConsent('denied');
    expect(open).not.toHaveBeenCalled();
    expect(await names(factory)).toEqual([]);
    // The denial lasts: the next page starts denied despite the default.
    const next = setup(factory);
    expect(next.lw.consent).toBe('denied');
    next.lw.destroy();

    localStorage.clear(); // another visitor
    const granted = setup(factory);
    await granted.lw.track({ type: 'view', itemId: 'a' });
    // Consent is the default (granted), so only the log (with the session in it) is written.
    expect(await names(factory)).toEqual(['likewise-int.events']);
    await granted.lw.forget();
    expect(await names(factory)).toEqual([]);
    expect(await granted.lw.events()).toEqual([]);

    // After forget (consent still granted) the page starts afresh, then withdrawal erases it.
    await granted.lw.track({ type: 'view', itemId: 'b' });
    expect((await granted.lw.events()).map((e) => e.itemId)).toEqual(['b']);
    await granted.lw.setConsent('denied');
    expect(await names(factory)).toEqual([]);
    expect(granted.errors).toEqual([]);
    granted.lw.destroy();
  });

  it('an erasure whose code cannot load is reported, and the next start does it before anything is stored', async () => {
    const factory = new IDBFactory();
    const { lw, errors } = tabLoadingErase(factory, () => Promise.reject(Error('offline')));
    await lw.track({ type: 'view', itemId: 'a' });
    await expect(lw.forget()).resolves.toBeUndefined();
    expect(errors.map((e) => [e.code, e.message])).toEqual([
      ['STORAGE', 'Storage failed: offline'],
    ]);
    expect(await names(factory)).toEqual(['likewise-int.events']);
    lw.destroy();

    // The next page's erasure loads: it runs first, so only its own event stays.
    const next = setup(factory);
    await next.lw.track({ type: 'view', itemId: 'b' });
    expect((await next.lw.events()).map((e) => e.itemId)).toEqual(['b']);
    expect(next.errors).toEqual([]);
    next.lw.destroy();
    // Done once: the page after keeps what it finds.
    const third = setup(factory);
    expect((await third.lw.events()).map((e) => e.itemId)).toEqual(['b']);
    third.lw.destroy();
  });

  it("multi-tab: a tab that starts during another tab's forget() waits for it and does not erase what that tab records after", async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { ...navigator, locks });
    const factory = new IDBFactory();
    // Each tab's erase part loads when its gate opens: tab B's after tab A's erasure and its next event.
    const tab = (g: ReturnType<typeof gate>) => tabLoadingErase(factory, () => g.opened);
    const gateA = gate();
    const gateB = gate();
    const a = tab(gateA);
    await a.lw.track({ type: 'view', itemId: 'before' });
    const forgot = a.lw.forget();
    // Tab B opens while A's erasure runs (its mark is in localStorage): it waits for A's lock.
    await new Promise((r) => setTimeout(r, 10));
    const b = tab(gateB);
    gateA.open();
    await forgot;
    await a.lw.track({ type: 'view', itemId: 'after' });
    gateB.open();
    await b.lw.track({ type: 'view', itemId: 'from-b' });
    // B erased nothing: A's event after its forget() is kept, and B's own.
    expect((await a.lw.events()).map((e) => e.itemId).sort()).toEqual(['after', 'from-b']);
    expect((await b.lw.events()).map((e) => e.itemId).sort()).toEqual(['after', 'from-b']);
    expect(localStorage.getItem('likewise-int.erase')).toBeNull();
    expect([...a.errors, ...b.errors]).toEqual([]);
    expect(locks.held.size).toBe(0);
    a.lw.destroy();
    b.lw.destroy();
  });

  it('multi-tab: an erasure left undone (its tab could not load it) is done by the next tab under the lock', async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { ...navigator, locks });
    const factory = new IDBFactory();
    const a = tabLoadingErase(factory, () => Promise.reject(Error('offline'))).lw;
    await a.track({ type: 'view', itemId: 'a' });
    await a.forget();
    expect(localStorage.getItem('likewise-int.erase')).toBe('1');
    a.destroy();
    const next = setup(factory);
    await next.lw.track({ type: 'view', itemId: 'b' });
    expect((await next.lw.events()).map((e) => e.itemId)).toEqual(['b']);
    expect(localStorage.getItem('likewise-int.erase')).toBeNull();
    expect(locks.held.size).toBe(0);
    next.lw.destroy();
  });

  it("multi-tab: a tab waits at most 3 s for another tab's erasure that hangs, then erases itself", async () => {
    const locks = fakeLocks();
    vi.stubGlobal('navigator', { ...navigator, locks });
    const factory = new IDBFactory();
    const hung = tabLoadingErase(factory, () => new Promise<never>(() => {})).lw;
    await hung.track({ type: 'view', itemId: 'a' });
    void hung.forget();
    await new Promise((r) => setTimeout(r, 10));
    expect(locks.held.has('likewise-int.erase')).toBe(true);
    const started = Date.now();
    const next = setup(factory);
    await next.lw.track({ type: 'view', itemId: 'b' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
    expect((await next.lw.events()).map((e) => e.itemId)).toEqual(['b']);
    expect(next.errors).toEqual([]);
    next.lw.destroy();
    hung.destroy();
  }, 10_000);

  it('a frame denied the lock (cross-site, sandboxed) still erases, and reports nothing', async () => {
    vi.stubGlobal('navigator', { ...navigator, locks: fakeLocks(true) });
    const factory = new IDBFactory();
    const { lw, errors } = setup(factory);
    await lw.track({ type: 'view', itemId: 'a' });
    expect(await names(factory)).toEqual(['likewise-int.events']);
    await lw.forget();
    expect(await names(factory)).toEqual([]);
    expect(localStorage.getItem('likewise-int.erase')).toBeNull();
    expect(errors).toEqual([]);
    lw.destroy();
  });

  it('writes the track() calls of one tick in one transaction, one key per event', async () => {
    const idb = faultyIndexedDB();
    const { lw, errors } = setup(idb.factory);
    await Promise.all(
      Array.from({ length: 50 }, (_, i) => lw.track({ type: 'view', itemId: `i${i}` })),
    );
    // The session's read, then one write.
    expect(idb.writes).toEqual(['likewise-int.events', 'likewise-int.events']);
    const raw = await rawEntries(idb.real, 'likewise-int.events');
    // The 50 events and the session.
    expect(raw.filter(([k]) => String(k).startsWith('e:'))).toHaveLength(50);
    expect(errors).toEqual([]);
    lw.destroy();
  });

  it('RELIABILITY 7: two tabs x 1,000 concurrent track() calls: exactly 2,000 stored, 0 duplicates', async () => {
    const idb = faultyIndexedDB();
    const a = setup(idb.factory);
    const b = setup(idb.factory);
    const sent: Promise<void>[] = [];
    for (let i = 0; i < 1000; i++) {
      sent.push(a.lw.track({ type: 'view', itemId: `a-${i}` }));
      sent.push(b.lw.track({ type: 'view', itemId: `b-${i}` }));
      // Interleave many transactions of both tabs, not just one batch each.
      if (i % 50 === 49) await new Promise((r) => setTimeout(r, 0));
    }
    await Promise.all(sent);
    const stored = (await rawEntries(idb.real, 'likewise-int.events'))
      .filter(([k]) => String(k).startsWith('e:'))
      .map(([, v]) => (v as { itemId: string }).itemId);
    expect(stored).toHaveLength(2000);
    expect(new Set(stored).size).toBe(2000);
    expect(await a.lw.events()).toHaveLength(2000);
    expect(idb.writes.length).toBeGreaterThan(2);
    expect([...a.errors, ...b.errors]).toEqual([]);
    a.lw.destroy();
    b.lw.destroy();
  });

  it('IndexedDB fails and memory mode\u2019s code cannot load: track() resolves, events kept in the page, stored once it loads', async () => {
    const idb = faultyIndexedDB();
    let offline = true;
    const errors: LikewiseError[] = [];
    const lw = createLikewise(
      { site: 'int', onError: (e) => errors.push(e) },
      {
        indexedDB: idb.factory,
        load: (name) =>
          name === 'erase' && offline ? Promise.reject(Error('offline')) : loadPart(name),
      },
    );
    await lw.track({ type: 'view', itemId: 'a' });
    idb.fail(
      { kind: 'abort', error: () => new DOMException('x', 'UnknownError') },
      Number.POSITIVE_INFINITY,
    );
    await expect(lw.track({ type: 'view', itemId: 'b' })).resolves.toBeUndefined();
    // What IndexedDB holds cannot be read in memory mode; what the page tracked since is kept.
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['b']);
    // Three attempts, then the write that could not be kept and the read.
    expect(errors.map((e) => [e.code, e.message, (e.cause as Error).message])).toEqual([
      ['STORAGE', 'IndexedDB failed: likewise-int.events', 'x'],
      ['STORAGE', 'IndexedDB failed: likewise-int.events', 'x'],
      ['STORAGE', 'IndexedDB failed: likewise-int.events', 'x'],
      ['STORAGE', 'Storage failed: offline', 'offline'],
      ['STORAGE', 'IndexedDB failed: likewise-int.events', 'offline'],
    ]);
    expect(lw.storage).toBe('memory');
    offline = false;
    await lw.track({ type: 'view', itemId: 'c' });
    // In memory mode now: b (kept by the tracker until then) and c, each once.
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['b', 'c']);
    expect(errors).toHaveLength(5);
    lw.destroy();
  });
});
