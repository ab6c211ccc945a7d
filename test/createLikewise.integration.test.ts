// @vitest-environment happy-dom
// createLikewise with the real stores (src/store) on fake-indexeddb: what the
// fakes cannot show, i.e. that "nothing is opened" holds for IndexedDB itself.
import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLikewise, type LikewiseOptions } from '../src/createLikewise';
import type { LikewiseError } from '../src/errors';
import { failOnUnhandled } from './support/fakeStores';
import { loadPart } from './support/parts';

failOnUnhandled();
// A denial is remembered in localStorage (one per site): each test starts as a new visitor.
afterEach(() => localStorage.clear());

function setup(factory: IDBFactory, options: Partial<LikewiseOptions> = {}) {
  const errors: LikewiseError[] = [];
  const lw = createLikewise(
    { site: 'int', onError: (e) => errors.push(e), ...options },
    { indexedDB: factory, load: loadPart },
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
    const errors: LikewiseError[] = [];
    const lw = createLikewise(
      { site: 'int', onError: (e) => errors.push(e) },
      {
        indexedDB: factory,
        load: (name) => (name === 'erase' ? Promise.reject(Error('offline')) : loadPart(name)),
      },
    );
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
});
