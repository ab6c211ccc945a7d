// Issue #5 in a real browser, on the demo shop: the measurement dashboard
// (SVG charts from lw.report() and /report.json), the privacy panel, "not
// interested", and the holdout group. Each test uses a fresh context.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Book,
  databaseNames,
  EVENTS_DB,
  expectClean,
  instanceEvents,
  launchBrowser,
  openShop as openContext,
  POLL,
  readWidgetIds,
  sdkReady,
  startDemo,
  storedCount,
  viewProduct as view,
  type W,
  widgetIds,
} from './harness';

const FOR_YOU = '[data-likewise="for-you"]';

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;
let catalog: Book[];

const url = (path: string) => new URL(path, demo.url).href;

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  catalog = (await (await fetch(url('catalog.json'))).json()) as Book[];
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

const openShop = () => openContext(browser);
const viewProduct = (page: Page, id: string) => view(page, demo.url, id);

const fantasy = () => catalog.filter((b) => b.category === 'Fantasy').slice(0, 4);

/** The accessible names of the SVG charts in a dashboard section ("Clicks: similar 1; ..."). */
function chartNames(page: Page, section: 'own' | 'collected'): Promise<string[]> {
  return page.evaluate(
    (s) =>
      Array.from(
        document.querySelectorAll(`[data-dashboard="${s}-charts"] svg[role="img"]`),
        (svg) => svg.getAttribute('aria-label') ?? '',
      ),
    section,
  );
}

describe('measurement dashboard (examples/dashboard.html)', () => {
  it("draws the visitor's own lw.report() as SVG charts, with the figures the SDK computed", async () => {
    const { context, page, problems } = await openShop();
    const book = catalog.find((b) => /#1\)$/.test(b.title)) ?? catalog[0];
    await viewProduct(page, book.id);
    // An impression needs half the item visible for 1 s.
    const similar = await widgetIds(page, '[data-likewise="similar"]');
    await expect
      .poll(
        async () => (await instanceEvents(page)).filter((e) => e.type === 'impression').length,
        POLL,
      )
      .toBeGreaterThan(0);
    await page.locator(`[data-likewise="similar"] a[href*="${similar[0]}"]`).first().click();
    await page.waitForURL(new RegExp(`id=${similar[0]}`));
    await sdkReady(page);

    await page.goto(url('dashboard.html'));
    await sdkReady(page);
    const report = await page.evaluate(() => (window as W).Likewise?.instance?.report());
    const row = report?.widgets.find((w) => w.widget === 'similar');
    expect(row, JSON.stringify(report)).toBeDefined();
    expect(row?.clicks).toBe(1);
    await expect.poll(() => chartNames(page, 'own'), POLL).not.toEqual([]);
    const names = await chartNames(page, 'own');
    const of = (title: string) => names.find((n) => n.startsWith(`${title}:`)) ?? '';
    expect(of('Impressions')).toContain(`similar ${row?.impressions}`);
    expect(of('Clicks')).toContain('similar 1');
    // One bar per widget row, drawn as SVG (no chart service, no canvas).
    const bars = await page
      .locator('[data-dashboard="own-charts"] svg[role="img"] rect.chart-bar')
      .count();
    expect(bars).toBeGreaterThanOrEqual(report?.widgets.length ?? 1);
    expect(await page.locator('[data-dashboard="own-status"]').textContent()).toBe(
      `${report?.events} events in this browser.`,
    );
    expectClean(problems);
    await context.close();
  });

  it('draws the collected log (/report.json) with every widget it lists', async () => {
    const { context, page, problems } = await openShop();
    // This visitor's events reach the collector (the demo's endpoint) first:
    // an impression (an item half visible for 1 s), sent as the page is left.
    await viewProduct(page, catalog[7].id);
    await widgetIds(page, '[data-likewise="similar"]');
    await expect
      .poll(async () => (await instanceEvents(page)).some((e) => e.type === 'impression'), POLL)
      .toBe(true);
    await page.goto(url('dashboard.html'));
    type Served = {
      report?: { events: number; widgets: { widget: string; scenario: string }[] };
    };
    let served: Served = {};
    await expect
      .poll(async () => {
        served = (await (await fetch(url('report.json'))).json()) as Served;
        return served.report?.widgets.length ?? 0;
      }, POLL)
      .toBeGreaterThan(0);
    // The dashboard read /report.json on load: read again if it came before the events.
    await page.reload();
    // The dashboard and this read may see different log lengths: compare shapes, not counts.
    expect(served.report?.events).toBeGreaterThan(0);
    await expect
      .poll(() => page.locator('[data-dashboard="collected-status"]').textContent(), POLL)
      .toMatch(/^\d+ events/);
    const names = await chartNames(page, 'collected');
    expect(names.some((n) => n.startsWith('Impressions:'))).toBe(true);
    const impressions = names.find((n) => n.startsWith('Impressions:')) ?? '';
    for (const w of served.report?.widgets ?? [])
      expect(impressions).toContain(w.widget === w.scenario ? w.widget : `${w.widget} · `);
    expectClean(problems);
    await context.close();
  });
});

describe('privacy panel (data-likewise-privacy)', () => {
  const panel = (page: Page) => page.locator('.likewise-privacy-host .likewise-privacy');
  const status = (page: Page) => page.locator('.likewise-privacy-host [part="privacy-status"]');

  async function openPanel(page: Page) {
    await page.locator('footer [data-likewise-privacy]').click();
    await expect.poll(() => panel(page).isVisible(), POLL).toBe(true);
    // Loaded: the status line empties once the summary is shown.
    await expect.poll(() => status(page).textContent(), POLL).toBe('');
  }

  it('shows what is stored; "clear" erases the history and its database', async () => {
    const { context, page, problems } = await openShop();
    const books = fantasy().slice(0, 2);
    for (const b of books) await viewProduct(page, b.id);
    await page.goto(demo.url);
    await sdkReady(page);
    const stored = (await instanceEvents(page)).length;
    await openPanel(page);
    const text = (await panel(page).textContent()) ?? '';
    expect(text).toContain(`Stored events: ${stored}`);
    for (const b of books) expect(text).toContain(`Viewed: ${b.title}`);
    expect(page.url(), 'the link opened the panel instead of navigating').toBe(demo.url);

    await panel(page).getByRole('button', { name: 'Clear my history' }).click();
    await expect
      .poll(() => status(page).textContent(), POLL)
      .toBe('Your history on this device was erased.');
    expect(await panel(page).textContent()).toContain(
      'Nothing is stored about you on this device.',
    );
    expect(await instanceEvents(page)).toEqual([]);
    // The panel reads the history again right after clearing, which may
    // create the events database anew: it must hold nothing.
    expect(await storedCount(page, EVENTS_DB)).toBe(0);
    // Consent stays granted: browsing later starts a fresh history.
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('granted');
    await page.keyboard.press('Escape');
    await expect.poll(() => panel(page).count(), POLL).toBe(0);
    expectClean(problems);
    await context.close();
  });

  /** Opens the panel on the home page of a visitor who viewed a book, and stops personalisation. */
  async function stopPersonalisation(page: Page) {
    await viewProduct(page, fantasy()[0].id);
    await page.goto(demo.url);
    await sdkReady(page);
    await openPanel(page);
    await panel(page).getByRole('button', { name: 'Stop personalisation' }).click();
    await expect
      .poll(() => status(page).textContent(), POLL)
      .toBe('Personalisation is off and your history on this device was erased.');
    await panel(page).getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => panel(page).count(), POLL).toBe(0);
  }

  /** POST requests the page makes from now on (events sent to the collector). */
  function watchPosts(page: Page): string[] {
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    return posts;
  }

  it('"stop personalisation" denies consent and forgets: afterwards nothing is stored or sent', async () => {
    const { context, page, problems } = await openShop();
    await stopPersonalisation(page);
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('denied');
    expect(await instanceEvents(page)).toEqual([]);
    expect(await databaseNames(page)).not.toContain(EVENTS_DB);

    const posts = watchPosts(page);
    await page.evaluate(() =>
      (window as W).Likewise?.instance?.track({ type: 'search', query: 'after-stop' }),
    );
    // Auto-tracking too: a click on a recommendation.
    await page.evaluate(() => window.addEventListener('click', (e) => e.preventDefault()));
    await widgetIds(page, '[data-likewise="trending"]');
    await page.locator('[data-likewise="trending"] a[href]').first().click();
    await page.waitForTimeout(1500);
    expect(await instanceEvents(page)).toEqual([]);
    expect(await databaseNames(page)).not.toContain(EVENTS_DB);
    expect(posts).toEqual([]);
    expectClean(problems);
    await context.close();
  });

  // The denial is remembered (localStorage `likewise-shop.consent` = `denied`,
  // kept by forget(), no identifier in it) and wins over the script tag's
  // default (`granted` on the demo) on every later page.
  it('"stop personalisation" lasts: on later pages nothing is recorded, stored or sent', async () => {
    const { context, page, problems } = await openShop();
    await stopPersonalisation(page);
    const posts = watchPosts(page);
    await page.goto(url(`product.html?id=${fantasy()[1].id}`));
    await sdkReady(page);
    await widgetIds(page, '[data-likewise="similar"]');
    await page.locator('[data-shop="add"]').click();
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('denied');
    expect(await instanceEvents(page)).toEqual([]);
    expect(await databaseNames(page)).not.toContain(EVENTS_DB);
    expect(posts).toEqual([]);
    expectClean(problems);
    await context.close();
  });
});

describe('"not interested" (data-dismissible)', () => {
  it('the item disappears at once, is recorded, and stays out after a reload', async () => {
    const { context, page, problems } = await openShop();
    for (const b of fantasy()) await viewProduct(page, b.id);
    await page.goto(demo.url);
    await sdkReady(page);
    const before = await widgetIds(page, FOR_YOU, 2);
    const gone = before[0];
    await page.locator(`${FOR_YOU} [data-likewise-item="${gone}"] .likewise__dismiss`).click();
    // At once: read right after the click, no waiting.
    const after = await page.evaluate(readWidgetIds, FOR_YOU);
    expect(after).not.toContain(gone);
    // The others keep their order; the slot may already have refilled at the end.
    expect(after.slice(0, before.length - 1)).toEqual(before.slice(1));
    await expect
      .poll(async () => (await page.evaluate(readWidgetIds, FOR_YOU)).length, POLL)
      .toBe(before.length);
    await expect
      .poll(
        async () =>
          (await instanceEvents(page)).some((e) => e.type === 'dismiss' && e.itemId === gone),
        POLL,
      )
      .toBe(true);

    await page.reload();
    await sdkReady(page);
    const reloaded = await widgetIds(page, FOR_YOU, 2);
    expect(reloaded).not.toContain(gone);
    const recommended = await page.evaluate(
      async (type) =>
        ((await (window as W).Likewise?.instance?.recommend({ type, limit: 20 })) ?? []).map(
          (r) => r.id,
        ),
      'for-you',
    );
    expect(recommended).not.toContain(gone);
    expectClean(problems);
    await context.close();
  });
});

describe('holdout group (experiment)', () => {
  /** Serves every page with `data-holdout` on the SDK's script tag (the visitor's site config). */
  async function withHoldout(context: BrowserContext, share: string): Promise<void> {
    await context.route(
      (u) => u.pathname === '/' || u.pathname.endsWith('.html'),
      async (route) => {
        const response = await route.fetch();
        const body = (await response.text()).replace(
          'data-site="shop"',
          `data-site="shop" data-holdout="${share}"`,
        );
        await route.fulfill({ response, body });
      },
    );
  }

  const recommendIds = (page: Page, type: string, limit: number) =>
    page.evaluate(
      async ([t, n]) =>
        ((await (window as W).Likewise?.instance?.recommend({ type: t, limit: n })) ?? []).map(
          (r) => r.id,
        ),
      [type, limit] as [string, number],
    );

  it('a visitor in the control group sees trending in "for you", after reloads too', async () => {
    const { context, page, problems } = await openShop();
    await withHoldout(context, '1');
    for (const b of fantasy()) await viewProduct(page, b.id);
    for (let load = 0; load < 2; load++) {
      if (load) await page.reload();
      else await page.goto(demo.url);
      await sdkReady(page);
      const trending = await recommendIds(page, 'trending', 12);
      expect(await recommendIds(page, 'for-you', 6)).toEqual(trending.slice(0, 6));
      const shown = await widgetIds(page, FOR_YOU);
      for (const id of shown) expect(trending, `${id} is a trending item`).toContain(id);
      const groups = new Set((await instanceEvents(page)).map((e) => e.group));
      expect([...groups]).toEqual(['holdout']);
    }
    expectClean(problems);
    await context.close();
  });

  it('without the holdout, the same history gets personal results (the check above can fail)', async () => {
    const { context, page, problems } = await openShop();
    await withHoldout(context, '0');
    for (const b of fantasy()) await viewProduct(page, b.id);
    await page.goto(demo.url);
    await sdkReady(page);
    const trending = await recommendIds(page, 'trending', 6);
    expect(await recommendIds(page, 'for-you', 6)).not.toEqual(trending);
    expect(new Set((await instanceEvents(page)).map((e) => e.group))).toEqual(
      new Set(['treatment']),
    );
    expectClean(problems);
    await context.close();
  });

  it('a visitor keeps one group and one id across reloads (holdout 50 %)', async () => {
    const { context, page, problems } = await openShop();
    await withHoldout(context, '0.5');
    await viewProduct(page, catalog[3].id);
    const first = (await instanceEvents(page)).find((e) => e.type === 'view');
    expect(['treatment', 'holdout']).toContain(first?.group);
    for (let i = 0; i < 3; i++) {
      await viewProduct(page, catalog[4 + i].id);
      const views = (await instanceEvents(page)).filter((e) => e.type === 'view');
      expect(new Set(views.map((e) => e.group))).toEqual(new Set([first?.group]));
      expect(new Set(views.map((e) => e.visitor))).toEqual(new Set([first?.visitor]));
    }
    expectClean(problems);
    await context.close();
  });
});
