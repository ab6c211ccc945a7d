// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLikewise, type LikewiseDeps, type LikewiseOptions } from '../src/createLikewise';
import { isLikewiseError, type LikewiseError } from '../src/errors';
import { show } from '../src/shared/checkValue';
import type { LikewiseEvent } from '../src/types';
import { counterIds, createFakeDisk, type FakeDisk, failOnUnhandled } from './support/fakeStores';
import { loadPart } from './support/parts';

failOnUnhandled();
// A denial is remembered in localStorage (one per site): each test starts as a new visitor.
afterEach(() => localStorage.clear());

const MIN = 60_000;
/** Fields LikewiseEvent documents (src/types.ts). */
const DOCUMENTED = [
  'id',
  'type',
  'ts',
  'session',
  'itemId',
  'items',
  'quantity',
  'price',
  'currency',
  'query',
  'rec',
  'pos',
  'group',
  'scenario',
  'widget',
  'visitor',
];

function setup(
  options: Partial<LikewiseOptions> = {},
  disk: FakeDisk = createFakeDisk(),
  idPrefix = 'id-',
  more: LikewiseDeps = {},
) {
  const errors: LikewiseError[] = [];
  let t = 1_000_000;
  const clock = { now: () => t, advance: (ms: number) => (t += ms) };
  const deps: LikewiseDeps = {
    ...disk.deps,
    now: () => clock.now(),
    randomId: counterIds(idPrefix),
    ...more,
  };
  const lw = createLikewise({ site: 'shop', onError: (e) => errors.push(e), ...options }, deps);
  const stored = (site = 'shop') => disk.dbs.get(`likewise-${site}.events`)?.events ?? [];
  return { lw, disk, errors, clock, stored, deps };
}

const view = (itemId: string) => ({ type: 'view' as const, itemId });

describe('createLikewise: options', () => {
  it('refuses bad options with exact messages', () => {
    const msg = (o: unknown) => {
      try {
        createLikewise(o as LikewiseOptions, createFakeDisk().deps);
      } catch (e) {
        expect(isLikewiseError(e, 'INVALID_OPTION')).toBe(true);
        return (e as Error).message;
      }
      throw new Error('expected a throw');
    };
    expect(msg(undefined)).toBe('createLikewise: options must be an object, got undefined.');
    expect(msg(null)).toBe('createLikewise: options must be an object, got null.');
    expect(msg({})).toBe('createLikewise: site must be 1 to 64 of A-Z a-z 0-9 _ -, got undefined.');
    expect(msg({ site: 'my shop' })).toBe(
      'createLikewise: site must be 1 to 64 of A-Z a-z 0-9 _ -, got "my shop".',
    );
    expect(msg({ site: 'x'.repeat(65) })).toMatch(/^createLikewise: site must be 1 to 64 /);
    expect(msg({ site: 's', consent: 'yes' })).toBe(
      'createLikewise: consent must be "granted", "pending" or "denied", got "yes".',
    );
    expect(msg({ site: 's', sessionTimeout: -5 })).toBe(
      'createLikewise: sessionTimeout must be a positive number, got -5.',
    );
    expect(msg({ site: 's', maxEvents: 1.5 })).toBe(
      'createLikewise: maxEvents must be a positive integer, got 1.5.',
    );
    expect(msg({ site: 's', onError: 'log' })).toBe(
      'createLikewise: onError must be a function, got "log".',
    );
  });

  it('opens nothing at creation, only at the first event or read', async () => {
    const { lw, disk } = setup();
    await lw.ready;
    expect(disk.factoryCalls).toBe(0);
    expect(lw.consent).toBe('granted');
    await lw.track(view('a'));
    // The session lives in the event log (disposable), apart from consent.
    expect(disk.created).toEqual(['likewise-shop.events']);
  });
});

describe('createLikewise: track', () => {
  it('stores events with id, ts and session, and reads them back oldest first', async () => {
    const { lw, stored, clock } = setup();
    await lw.track(view('a'));
    clock.advance(1000);
    await lw.track({ type: 'add_to_cart', itemId: 'a', price: 5, currency: 'EUR' });
    // Replayed queued call, older than the rest.
    await lw.track({ type: 'view', itemId: 'z', ts: 5 });
    expect(stored()).toHaveLength(3);
    const events = await lw.events();
    expect(events.map((e) => e.itemId)).toEqual(['z', 'a', 'a']);
    expect(events[2]).toEqual({
      type: 'add_to_cart',
      itemId: 'a',
      price: 5,
      currency: 'EUR',
      id: 'id-3',
      ts: 1_001_000,
      session: 'id-2',
    });
    expect(lw.storage).toBe('indexeddb');
  });

  it('throws on a bad event at once, and loses nothing before or after it', async () => {
    const { lw, stored, errors } = setup();
    const first = lw.track(view('a'));
    expect(() => lw.track({ type: 'veiw', itemId: 'b' } as never)).toThrow(
      'type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got "veiw".',
    );
    const last = lw.track(view('c'));
    await Promise.all([first, last]);
    expect(stored().map((e) => e.itemId)).toEqual(['a', 'c']);
    expect(errors).toEqual([]);
  });

  it('stores only documented fields (data minimisation)', async () => {
    const { lw, stored } = setup();
    await lw.track({
      type: 'purchase',
      items: [{ itemId: 'a', price: 3, email: 'ann@example.com' }],
      email: 'ann@example.com',
      name: 'Ann',
      ip: '10.0.0.1',
      session: 'forged',
    } as never);
    const [e] = stored();
    for (const key of Object.keys(e)) expect(DOCUMENTED).toContain(key);
    expect(e.items).toEqual([{ itemId: 'a', price: 3 }]);
    expect(e.session).not.toBe('forged');
    expect(JSON.stringify(stored())).not.toContain('ann@');
  });

  it('keeps events in memory when writes fail, reports, and writes them later', async () => {
    const { lw, disk, stored, errors } = setup();
    disk.failWrites = true;
    await expect(lw.track(view('a'))).resolves.toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every((e) => e.code === 'STORAGE')).toBe(true);
    expect(errors[0].message).toBe('Storage failed: The write failed.');
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['a']);
    disk.failWrites = false;
    await lw.track(view('b'));
    expect(stored().map((e) => e.itemId)).toEqual(['a', 'b']);
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['a', 'b']);
  });

  it('announces new events to subscribers; a throwing one is reported, not fatal', async () => {
    const { lw, errors, stored } = setup();
    const seen: LikewiseEvent[] = [];
    const stop = lw.subscribe((e) => seen.push(e));
    lw.subscribe(() => {
      throw new Error('widget bug');
    });
    await lw.track(view('a'));
    expect(seen.map((e) => [e.itemId, e.session])).toEqual([['a', 'id-2']]);
    expect(errors.map((e) => e.message)).toEqual(['Storage failed: widget bug']);
    stop();
    await lw.track(view('b'));
    expect(seen).toHaveLength(1);
    expect(stored()).toHaveLength(2);
  });

  it('refuses a subscriber that is not a function, at once', () => {
    const { lw } = setup();
    for (const listener of [42, null, 'f', {}])
      expect(() => lw.subscribe(listener as never)).toThrow(
        expect.objectContaining({
          code: 'INVALID_INPUT',
          message: `subscribe: listener must be a function, got ${show(listener)}.`,
        }),
      );
  });

  it('a throwing onError does not escape', async () => {
    const disk = createFakeDisk();
    disk.failWrites = true;
    const lw = createLikewise(
      {
        site: 'shop',
        onError: () => {
          throw new Error('host bug');
        },
      },
      disk.deps,
    );
    await expect(lw.track(view('a'))).resolves.toBeUndefined();
  });

  it('warns on the console when no onError is given', async () => {
    const disk = createFakeDisk();
    disk.failWrites = true;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const lw = createLikewise({ site: 'shop' }, disk.deps);
    await lw.track(view('a'));
    expect(warn).toHaveBeenCalledWith('[likewise]', 'Storage failed: The write failed.');
    warn.mockRestore();
  });
});

describe('createLikewise: consent', () => {
  it('pending: events live in memory, no store is created at all', async () => {
    const { lw, disk } = setup({ consent: 'pending' });
    await lw.track(view('a'));
    await lw.track(view('b'));
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['a', 'b']);
    expect(await lw.aggregates()).toEqual([]);
    expect(lw.storage).toBe('memory');
    expect(disk.factoryCalls).toBe(0);
    expect(disk.created).toEqual([]);
  });

  it('grant: memory events are flushed to the store and the grant is recorded', async () => {
    const { lw, disk, stored } = setup({ consent: 'pending' });
    const seen: string[] = [];
    lw.subscribe((e) => seen.push(e.itemId!));
    await lw.track(view('a'));
    await lw.setConsent('granted');
    expect(lw.consent).toBe('granted');
    expect(stored().map((e) => e.itemId)).toEqual(['a']);
    expect(disk.dbs.get('likewise-shop')?.state.get('consent')).toEqual({
      state: 'granted',
      ts: 1_000_000,
    });
    await lw.track(view('b'));
    // One session across the consent change; the flush did not announce 'a' twice.
    expect(new Set(stored().map((e) => e.session)).size).toBe(1);
    expect(seen).toEqual(['a', 'b']);
  });

  it('deny from pending: events are discarded and nothing is stored', async () => {
    const { lw, disk } = setup({ consent: 'pending' });
    await lw.track(view('a'));
    await lw.setConsent('denied');
    await lw.track(view('b'));
    expect(await lw.events()).toEqual([]);
    expect(disk.created).toEqual([]);
    expect(disk.factoryCalls).toBe(0);
    expect(lw.storage).toBe('memory');
  });

  it('denied from the start: nothing recorded, nothing opened', async () => {
    const { lw, disk } = setup({ consent: 'denied' });
    await lw.track(view('a'));
    expect(await lw.events()).toEqual([]);
    expect(disk.factoryCalls).toBe(0);
  });

  it('withdrawal (granted -> denied) erases stored data and records nothing afterwards', async () => {
    const { lw, disk } = setup();
    await lw.track(view('a'));
    expect(disk.dbs.size).toBe(1);
    await lw.setConsent('denied');
    expect(disk.dbs.size).toBe(0);
    expect(disk.deleted).toEqual(['shop']);
    await lw.track(view('b'));
    expect(await lw.events()).toEqual([]);
    expect(disk.dbs.size).toBe(0);
  });

  it('granted -> pending keeps new events in memory only', async () => {
    const { lw, stored } = setup();
    await lw.track(view('a'));
    await lw.setConsent('pending');
    await lw.track(view('b'));
    expect(stored().map((e) => e.itemId)).toEqual(['a']);
    expect((await lw.events()).map((e) => e.itemId)).toEqual(['b']);
  });

  it('refuses an unknown consent value', () => {
    const { lw } = setup();
    expect(() => lw.setConsent('yes' as never)).toThrow(
      'consent must be "granted", "pending" or "denied", got "yes".',
    );
    expect(lw.consent).toBe('granted');
  });
});

describe('createLikewise: forget', () => {
  it('erases every database and what is in memory, even while writes fail', async () => {
    const { lw, disk, errors } = setup();
    await lw.track(view('a'));
    disk.failWrites = true;
    await lw.track(view('b'));
    expect(errors.length).toBeGreaterThan(0);
    await lw.forget();
    expect(disk.dbs.size).toBe(0);
    // The one store a view opens (the event log, with the session in it).
    expect(disk.closed).toBe(1);
    expect(await lw.events()).toEqual([]);
    expect(lw.consent).toBe('granted');
  });

  it('erases data tracked just before it, and starts afresh after', async () => {
    const { lw, disk, stored } = setup();
    await lw.track(view('a'));
    const before = lw.track(view('b'));
    const done = lw.forget();
    await Promise.all([before, done]);
    expect(disk.dbs.size).toBe(0);
    await lw.track(view('c'));
    const [e] = stored();
    expect(e.itemId).toBe('c');
    // A new session: the old one was forgotten too.
    expect(e.session).toBe('id-5');
  });
});

describe('createLikewise: sessions', () => {
  it('splits after 30 minutes without events', async () => {
    const { lw, clock } = setup();
    await lw.track(view('a'));
    clock.advance(30 * MIN);
    await lw.track(view('b'));
    clock.advance(30 * MIN + 1);
    await lw.track(view('c'));
    const s = (await lw.events()).map((e) => e.session);
    expect(s[0]).toBe(s[1]);
    expect(s[2]).not.toBe(s[1]);
  });

  it('honours sessionTimeout', async () => {
    const { lw, clock } = setup({ sessionTimeout: 1000 });
    await lw.track(view('a'));
    clock.advance(1001);
    await lw.track(view('b'));
    const [a, b] = await lw.events();
    expect(a.session).not.toBe(b.session);
  });

  it('continues the session after a reload, and not after a long absence', async () => {
    const disk = createFakeDisk();
    const page1 = setup({}, disk, 'p1-');
    await page1.lw.track(view('a'));
    page1.lw.destroy();
    const page2 = setup({}, disk, 'p2-');
    page2.clock.advance(10 * MIN);
    await page2.lw.track(view('b'));
    const page3 = setup({}, disk, 'p3-');
    page3.clock.advance(41 * MIN);
    await page3.lw.track(view('c'));
    const [a, b, c] = await page3.lw.events();
    expect(a.session).toBe('p1-2');
    expect(b.session).toBe('p1-2');
    expect(c.session).toBe('p3-2');
  });
});

describe('createLikewise: isolation and lifecycle', () => {
  it('keeps two sites on one origin apart', async () => {
    const disk = createFakeDisk();
    const a = setup({ site: 'shop-a' }, disk);
    const b = setup({ site: 'shop-b' }, disk);
    await a.lw.track(view('from-a'));
    await b.lw.track(view('from-b'));
    expect((await a.lw.events()).map((e) => e.itemId)).toEqual(['from-a']);
    expect((await b.lw.events()).map((e) => e.itemId)).toEqual(['from-b']);
    await a.lw.forget();
    expect([...disk.dbs.keys()].sort()).toEqual(['likewise-shop-b.events']);
    expect((await b.lw.events()).map((e) => e.itemId)).toEqual(['from-b']);
  });

  it('destroy stops auto-tracking, listeners and recording, and closes the stores', async () => {
    document.body.replaceChildren();
    // Auto-tracking is an on-demand part of the npm build: `ready` waits for its start.
    const { lw, disk, stored } = setup({ autoTrack: true }, undefined, undefined, {
      load: loadPart,
    });
    await lw.ready;
    const seen: string[] = [];
    lw.subscribe((e) => seen.push(e.itemId!));
    const link = document.createElement('a');
    link.href = '/p/a';
    link.setAttribute('data-likewise-item', 'a');
    link.addEventListener('click', (e) => e.preventDefault());
    document.body.append(link);
    link.click();
    await lw.events();
    expect(stored().map((e) => [e.type, e.itemId])).toEqual([['click', 'a']]);
    lw.destroy();
    link.click();
    await lw.track(view('b'));
    await new Promise((r) => setTimeout(r, 10));
    expect(stored()).toHaveLength(1);
    expect(seen).toEqual(['a']);
    expect(disk.closed).toBe(1);
    link.remove();
  });
});
