// RELIABILITY 10 and 11 at the plan's 256 KB origin quota, in Chromium with a
// persistent profile (DevTools `Storage.overrideQuotaForOrigin`): what the
// browser frees when a database is deleted on a full origin, what the SDK
// does there, and that a withdrawal on a full origin silences the outbox for
// longer than its first send delay.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  databaseNames,
  EVENTS_DB,
  expectClean,
  fillOrigin,
  launchPersistent,
  recordSends,
  servePage,
  storedQueries,
  useDemoShop,
  VIEWPORT,
  type W,
  watchProblems,
} from './harness';

const shop = useDemoShop();
const QUOTA = 256 * 1024;

/**
 * A persistent profile whose origin is capped at 256 KB before its first
 * storage use (Chromium's IndexedDB caches the room an origin has left once
 * it opens a database, so a cap set later can be ignored for a while).
 */
async function cappedOrigin() {
  const persistent = await launchPersistent({ viewport: VIEWPORT });
  const { context } = persistent;
  const problems = await watchProblems(context);
  const page = context.pages()[0] ?? (await context.newPage());
  const origin = new URL(shop.demo.url).origin;
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA });
  /** Lifts the cap: the origin has room again. */
  const makeRoom = () => cdp.send('Storage.overrideQuotaForOrigin', { origin });
  return { ...persistent, page, problems, makeRoom };
}

/**
 * Runs in a page without the SDK: a database of 80 KB (in the default
 * storage bucket, or in a bucket of its own), the rest of the origin filled by
 * the host, then that database (or its bucket) deleted; then a small write to
 * a fresh database of the same name is tried every 100 ms for 3 s. Returns
 * whether and when one landed.
 */
async function deleteOnFullOrigin(inBucket: boolean) {
  const buckets = (
    navigator as Navigator & {
      storageBuckets?: {
        open(name: string): Promise<{ indexedDB: IDBFactory }>;
        delete(name: string): Promise<void>;
      };
    }
  ).storageBuckets;
  if (inBucket && !buckets) return { supported: false, full: '', landedAfter: -1 };
  const factory = async () => (inBucket ? (await buckets!.open('events')).indexedDB : indexedDB);
  const open = async () => {
    const f = await factory();
    return new Promise<IDBDatabase>((ok, fail) => {
      const r = f.open('events');
      r.onupgradeneeded = () => r.result.createObjectStore('kv');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
  };
  const put = (db: IDBDatabase, key: string, value: unknown) =>
    new Promise<string>((ok) => {
      const tx = db.transaction('kv', 'readwrite');
      tx.objectStore('kv').put(value, key);
      tx.oncomplete = () => ok('');
      tx.onabort = () => ok(tx.error?.name ?? 'AbortError');
    });
  const events = await open();
  for (let i = 0; i < 20; i++)
    await put(events, `e${i}`, crypto.getRandomValues(new Uint8Array(4096)));
  events.close();
  // The host's share (the same routine as the harness's fillOrigin, inlined: this runs in the page).
  const host = await new Promise<IDBDatabase>((ok, fail) => {
    const r = indexedDB.open('host-app-cache');
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  let full = '';
  for (const size of [16 * 1024, 1024, 64]) {
    full = '';
    for (let n = 0; n < 400 && !full; n++)
      full = await put(host, `${size}-${n}`, crypto.getRandomValues(new Uint8Array(size)));
    if (full !== 'QuotaExceededError') break;
  }
  host.close();
  const start = performance.now();
  if (inBucket) await buckets!.delete('events');
  else
    await new Promise((done) => {
      const r = indexedDB.deleteDatabase('events');
      r.onsuccess = r.onerror = done;
    });
  while (performance.now() - start < 3000) {
    const db = await open();
    const error = await put(db, 'one', { type: 'view', itemId: 'bk-0001', ts: Date.now() });
    db.close();
    if (!error) return { supported: true, full, landedAfter: performance.now() - start };
    await new Promise((r) => setTimeout(r, 100));
  }
  return { supported: true, full, landedAfter: -1 };
}

describe('a full origin at 256 KB (RELIABILITY 10)', () => {
  // The plan asks that, once the origin is full, the events database be
  // recreated and a write land within 1 s. Chromium does not give a deleted
  // database's space back while the origin's other connections live (its
  // usage does not drop), so no write lands: measured 0 of 3 runs in 15 s.
  // A storage bucket deleted whole frees its space at once, which is why the
  // SDK keeps its events database in a bucket of its own. These two runs pin
  // both facts, so a Chromium that changes either is noticed.
  it('Chromium: deleting a database on a full origin frees nothing for 3 s; deleting its storage bucket frees it for the next write', async () => {
    for (const inBucket of [false, true]) {
      const { context, page, close } = await cappedOrigin();
      try {
        await servePage(context, '/blank.html', '<p>no SDK here</p>');
        await page.goto(shop.url('blank.html'));
        const r = await page.evaluate(deleteOnFullOrigin, inBucket);
        if (!r.supported) continue;
        expect(r.full, 'the origin was full').toBe('QuotaExceededError');
        if (inBucket)
          expect(
            r.landedAfter,
            'a write landed after the bucket was deleted',
          ).toBeGreaterThanOrEqual(0);
        else expect(r.landedAfter, 'no write landed after the database was deleted').toBe(-1);
      } finally {
        await close();
      }
    }
  });

  /** The tag on a page of its own, consent granted, with the demo's collector. */
  const TAG =
    '<script src="/dist/likewise.iife.js" data-site="shop" data-catalog="/catalog.json" data-model="/model/manifest.json" data-endpoint="/collect" async></script>';

  /** The capped origin, the SDK's own 200 events stored (about 60 KB), then filled by the host. */
  async function fullWithSdk() {
    const capped = await cappedOrigin();
    const { context, page } = capped;
    await servePage(context, '/full.html', TAG);
    await page.goto(shop.url('full.html'));
    await page.waitForFunction(() => !!(window as W).Likewise?.instance, undefined, {
      timeout: 10_000,
    });
    await page.evaluate(async () => {
      const lw = (window as W).Likewise?.instance;
      await lw?.ready;
      const pad = 'x'.repeat(240);
      // One at a time, as a shopper's events come.
      for (let i = 0; i < 200; i++) await lw?.track({ type: 'search', query: `fill-${i}-${pad}` });
    });
    await expect
      .poll(async () => (await stored(page)).filter((q) => q.startsWith('fill-')).length, {
        timeout: 10_000,
      })
      .toBe(200);
    const filled = await page.evaluate(fillOrigin);
    expect(filled.error, JSON.stringify(filled)).toBe('QuotaExceededError');
    return capped;
  }

  const stored = (page: Page) => storedQueries(page, EVENTS_DB);
  const search = (page: Page, query: string) =>
    page.evaluate(
      (q) => (window as W).Likewise?.instance?.track({ type: 'search', query: q }),
      query,
    );
  const held = (page: Page) =>
    page.evaluate(async () =>
      ((await (window as W).Likewise?.instance?.events()) ?? []).map((e) => e.query),
    );

  it('the SDK fills the rest of the origin: 0 page errors; at the quota error its storage bucket is deleted and recreated, and that event is written in the same call', async () => {
    const { context, page, problems, close } = await cappedOrigin();
    try {
      // The host holds half the origin; the SDK's log grows into the rest.
      await servePage(context, '/blank.html', '<p>the host</p>');
      await page.goto(shop.url('blank.html'));
      await page.evaluate(async () => {
        const db = await new Promise<IDBDatabase>((ok, fail) => {
          const r = indexedDB.open('host-app-cache');
          r.onupgradeneeded = () => r.result.createObjectStore('kv');
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        for (let n = 0; n < 32; n++)
          await new Promise((done) => {
            const tx = db.transaction('kv', 'readwrite');
            tx.objectStore('kv').put(crypto.getRandomValues(new Uint8Array(4096)), `h${n}`);
            tx.oncomplete = tx.onabort = done;
          });
        db.close();
      });
      // No collector: an outbox that cannot send would keep every event too.
      await servePage(context, '/full.html', TAG.replace(' data-endpoint="/collect"', ''));
      await page.goto(shop.url('full.html'));
      await page.waitForFunction(() => !!(window as W).Likewise?.instance, undefined, {
        timeout: 10_000,
      });
      // One event at a time, as a shopper's come, until one meets the quota
      // error: the events' bucket (the SDK's log with it: disposable) is
      // deleted, Chromium gives its space back at once, and the write is
      // tried again in a fresh bucket. Detected by the first event being gone.
      const r = await page.evaluate(async () => {
        const lw = (window as W).Likewise?.instance;
        await lw?.ready;
        const pad = 'x'.repeat(240);
        for (let i = 0; i < 2000; i++) {
          const start = performance.now();
          await lw?.track({ type: 'search', query: `e-${i}-${pad}` });
          const took = performance.now() - start;
          const log = ((await lw?.events()) ?? []).map((e) => e.query ?? '');
          if (i > 0 && !log.some((q) => q.startsWith('e-0-'))) return { i, took };
        }
        return { i: -1, took: -1 };
      });
      expect(r.i, 'a write met the quota error within 2,000 events').toBeGreaterThan(0);
      console.log(
        `a full origin: after ${r.i} events, the write that met the quota error landed ${r.took.toFixed(0)} ms after track() began`,
      );
      // In IndexedDB when track() resolved: no memory mode, no 5 s backoff.
      expect((await stored(page)).map((q) => q.split('-x')[0])).toEqual([`e-${r.i}`]);
      expect(await page.evaluate(() => (window as W).Likewise?.instance?.storage)).toBe(
        'indexeddb',
      );
      await search(page, 'next');
      expect((await stored(page)).at(-1)).toBe('next');
      expectClean(problems);
    } finally {
      await close();
    }
  });

  it('consent withdrawn on the full origin: nothing sent for 2.5 s (past the outbox first send delay of 1 s and its first retry), nor after a reload; events database gone (RELIABILITY 11)', async () => {
    const { page, problems, close } = await fullWithSdk();
    try {
      await page.evaluate(recordSends);
      const sent = () => page.evaluate(() => (window as W & { __sent?: string[] }).__sent ?? []);
      // Not vacuous: with consent, the outbox does send on this full origin.
      await search(page, 'control');
      // The fill's backlog goes out first: on a loaded machine that takes longer than 10 s.
      await expect
        .poll(async () => (await sent()).join(), { timeout: 30_000 })
        .toContain('control');

      // Two events whose send is due 1 s later, then the withdrawal at once.
      await page.evaluate(async () => {
        const lw = (window as W).Likewise?.instance;
        const w = window as W & { __sent?: string[] };
        void lw?.track({ type: 'search', query: 'due-1' });
        void lw?.track({ type: 'search', query: 'due-2' });
        await lw?.setConsent('denied');
        w.__sent?.splice(0);
        await lw?.track({ type: 'search', query: 'after-denied' });
      });
      const posts: string[] = [];
      page.on('request', (r) => {
        if (r.method() === 'POST') posts.push(r.url());
      });
      await page.waitForTimeout(2500);
      expect(await sent()).toEqual([]);
      expect(posts).toEqual([]);
      expect(await held(page)).not.toContain('after-denied');
      expect(await databaseNames(page)).not.toContain(EVENTS_DB);

      // The denial outlives the page: the next one sends and stores nothing either.
      await page.reload();
      await page.waitForFunction(() => !!(window as W).Likewise?.instance);
      expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('denied');
      await search(page, 'next-page');
      await page.waitForTimeout(2500);
      expect(posts).toEqual([]);
      expect(await databaseNames(page)).not.toContain(EVENTS_DB);
      expectClean(problems);
    } finally {
      await close();
    }
  });
});
