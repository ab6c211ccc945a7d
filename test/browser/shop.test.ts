// Issue #14 in a real browser, on the demo shop: what a shopper notices
// (one item once per page, titles, "not interested", phones and tablets),
// the consent banner, the German page, and what auto-tracking records from
// the shop's markup (order confirmation, search form, basket removals).
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  agreeToConsent,
  databaseNames,
  EVENTS_DB,
  expectClean,
  instanceEvents,
  launchBrowser,
  openShop as openContext,
  POLL,
  readWidgetIds,
  saveScreenshot,
  sdkReady,
  startDemo,
  viewProduct as view,
  type W,
  watchProblems,
  widgetIds,
} from './harness';

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;

const url = (path: string) => new URL(path, demo.url).href;

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

const openShop = () => openContext(browser);
const viewProduct = (page: Page, id: string) => view(page, demo.url, id);

/** Ids of every widget of the page, once each has rendered. */
async function allWidgetIds(page: Page, selectors: string[]): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  for (const s of selectors) out[s] = await widgetIds(page, s);
  return out;
}

describe('one page, each item once', () => {
  it("product page: no item in two widgets, and recently viewed leaves out the page's own book", async () => {
    const { context, page, problems } = await openShop();
    for (const id of ['bk-0016', 'bk-0029', 'bk-0001']) await viewProduct(page, id);
    await viewProduct(page, 'bk-0030');
    const widgets = await allWidgetIds(page, [
      '[data-likewise="bought-together"]',
      '[data-likewise="similar"]',
      '[data-likewise="recently-viewed"]',
    ]);
    const all = Object.values(widgets).flat();
    expect(all, JSON.stringify(widgets)).toHaveLength(new Set(all).size);
    expect(all).not.toContain('bk-0030');
    // What the other widgets show is left out of recently viewed, not the rest.
    for (const id of ['bk-0016', 'bk-0029', 'bk-0001'])
      expect(all.filter((x) => x === id)).toHaveLength(1);
    expectClean(problems);
    await context.close();
  });

  it('titles clamp to two lines with an ellipsis', async () => {
    const { context, page, problems } = await openShop();
    await viewProduct(page, 'bk-0030');
    await widgetIds(page, '[data-likewise="similar"]');
    const style = await page.evaluate(() => {
      const host = document.querySelector('[data-likewise="similar"] .likewise-host');
      const name = host?.shadowRoot?.querySelector('.likewise__name') as HTMLElement;
      const s = getComputedStyle(name);
      return { clamp: s.webkitLineClamp, overflow: s.overflow, lines: name.clientHeight };
    });
    expect(style.clamp).toBe('2');
    expect(style.overflow).toBe('hidden');
    expectClean(problems);
    await context.close();
  });

  it('"not interested" refills the slot, and its button stands out over a dark cover', async () => {
    const { context, page, problems } = await openShop();
    for (const id of ['bk-0016', 'bk-0029']) await viewProduct(page, id);
    await page.goto(demo.url);
    await sdkReady(page);
    const sel = '[data-likewise="for-you"]';
    const before = await widgetIds(page, sel, 6);
    const button = page.locator(`${sel} .likewise__dismiss`).first();
    const look = await button.evaluate((b) => {
      const s = getComputedStyle(b);
      return { bg: s.backgroundColor, shadow: s.boxShadow };
    });
    // An opaque light disc with a shadow: not the card's transparent background.
    expect(look.bg).toBe('rgb(255, 255, 255)');
    expect(look.shadow).not.toBe('none');
    await button.click();
    await expect.poll(() => page.evaluate(readWidgetIds, sel), POLL).not.toContain(before[0]);
    await expect.poll(async () => (await page.evaluate(readWidgetIds, sel)).length, POLL).toBe(6);
    expectClean(problems);
    await context.close();
  });
});

describe('phones and tablets', () => {
  for (const width of [390, 768])
    it(`at ${width} px: no page wider than the screen, cards of a sensible size`, async () => {
      const context = await browser.newContext({ viewport: { width, height: 844 } });
      await agreeToConsent(context);
      const problems = await watchProblems(context);
      const page = await context.newPage();
      for (const id of ['bk-0016', 'bk-0029', 'bk-0001']) await viewProduct(page, id);
      for (const path of [
        '',
        'product.html?id=bk-0030',
        'category.html?c=Fantasy',
        'cart.html',
        'de.html',
      ]) {
        await page.goto(url(path));
        await sdkReady(page);
        await page.waitForSelector('.card:not(.skeleton), .likewise-host', { timeout: 10_000 });
        const widgets = await page.$$eval('[data-likewise]', (els) =>
          els.map((e) => e.getAttribute('data-likewise')),
        );
        for (const w of widgets) await widgetIds(page, `[data-likewise="${w}"]`, 0);
        const m = await page.evaluate(() => {
          const cards = [
            ...document.querySelectorAll('.grid .card:not(.card-spacer)'),
            ...[...document.querySelectorAll('.likewise-host')].flatMap((h) => [
              ...(h.shadowRoot?.querySelectorAll('.likewise__item') ?? []),
            ]),
          ].map((c) => c.getBoundingClientRect().width);
          const tiles = [...document.querySelectorAll('.tile')].map(
            (t) => t.getBoundingClientRect().right,
          );
          return {
            overflow: document.documentElement.scrollWidth - window.innerWidth,
            cards,
            tiles,
            height: document.documentElement.scrollHeight,
          };
        });
        expect(m.overflow, path).toBeLessThanOrEqual(0);
        for (const right of m.tiles) expect(right, path).toBeLessThanOrEqual(width);
        for (const w of m.cards) {
          expect(w, path).toBeGreaterThanOrEqual(110);
          expect(w, path).toBeLessThanOrEqual(width * 0.5);
        }
        // The home page was 12,262 px tall at 390 px: shelves are one row each now.
        if (path === '' && width === 390) expect(m.height).toBeLessThan(6000);
        if (path === '' || path === 'de.html')
          await saveScreenshot(page, `demo-${path || 'home'}-${width}`);
      }
      expectClean(problems);
      await context.close();
    });
});

describe('consent banner', () => {
  it('pending until Accept: memory only, nothing stored or sent; recommendations work meanwhile', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const problems = await watchProblems(context);
    const page = await context.newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await page.goto(url('product.html?id=bk-0030'));
    await sdkReady(page);
    await expect(page.locator('[data-consent-banner]')).toBeTruthy();
    expect(await page.locator('[data-consent-banner]').isVisible()).toBe(true);
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('pending');
    expect(await widgetIds(page, '[data-likewise="similar"]')).not.toContain('bk-0030');
    await expect
      .poll(async () => (await instanceEvents(page)).some((e) => e.itemId === 'bk-0030'), POLL)
      .toBe(true);
    await page.waitForTimeout(1500);
    expect(posts).toEqual([]);
    expect(await databaseNames(page)).not.toContain(EVENTS_DB);

    await page.locator('[data-consent-accept]').click();
    await expect
      .poll(() => page.evaluate(() => (window as W).Likewise?.instance?.consent), POLL)
      .toBe('granted');
    expect(await page.locator('[data-consent-banner]').count()).toBe(0);
    await expect.poll(() => databaseNames(page), POLL).toContain(EVENTS_DB);
    // The next page asks no more and grants at once.
    await page.goto(url('product.html?id=bk-0016'));
    await sdkReady(page);
    await expect
      .poll(() => page.evaluate(() => (window as W).Likewise?.instance?.consent), POLL)
      .toBe('granted');
    expect(await page.locator('[data-consent-banner]').count()).toBe(0);
    expectClean(problems);
    await context.close();
  });

  it('refusing keeps everything on the device and stays pending on later pages', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const problems = await watchProblems(context);
    const page = await context.newPage();
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(r.url());
    });
    await page.goto(demo.url);
    await sdkReady(page);
    await page.locator('[data-consent-refuse]').click();
    await page.goto(url('product.html?id=bk-0030'));
    await sdkReady(page);
    expect(await page.locator('[data-consent-banner]').count()).toBe(0);
    await widgetIds(page, '[data-likewise="similar"]');
    await page.waitForTimeout(1500);
    expect(await page.evaluate(() => (window as W).Likewise?.instance?.consent)).toBe('pending');
    expect(posts).toEqual([]);
    expect(await databaseNames(page)).not.toContain(EVENTS_DB);
    expectClean(problems);
    await context.close();
  });
});

describe('the German page', () => {
  it('renders widgets, reasons, banner and privacy panel in German', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const problems = await watchProblems(context);
    const page = await context.newPage();
    await page.goto(url('de.html'));
    await sdkReady(page);
    expect(await page.locator('[data-consent-banner]').textContent()).toContain('Zustimmen');
    await page.locator('[data-consent-accept]').click();
    for (const id of ['bk-0016', 'bk-0029']) await viewProduct(page, id);
    await page.goto(url('de.html'));
    await sdkReady(page);
    await widgetIds(page, '[data-likewise="for-you"]');
    await widgetIds(page, '[data-likewise="recently-viewed"]');
    const texts = await page.evaluate(() =>
      [...document.querySelectorAll('[data-likewise]')].map((el) => {
        const root = el.querySelector('.likewise-host')?.shadowRoot;
        return {
          title: root?.querySelector('h2')?.textContent,
          reason: root?.querySelector('.likewise__reason')?.textContent,
          dismiss: root?.querySelector('.likewise__dismiss')?.getAttribute('aria-label'),
        };
      }),
    );
    expect(texts.map((t) => t.title)).toEqual([
      'Für Sie empfohlen',
      // The page's data-likewise-texts block overrides this one.
      'Gerade beliebt bei Folio & Fern',
      'Zuletzt angesehen',
    ]);
    expect(texts[0].dismiss).toMatch(/^Kein Interesse: /);
    expect(texts[0].reason).toMatch(/^Weil Sie .+ angesehen haben$/);
    // Prices are written the German way, in the shop's cards and the SDK's.
    expect(await page.locator('.card-price').first().textContent()).toMatch(/^\d+,\d\d\s€$/);
    await saveScreenshot(page, 'demo-de');

    await page.locator('footer [data-likewise-privacy]').click();
    const panel = page.locator('.likewise-privacy-host .likewise-privacy');
    await expect
      .poll(() => panel.locator('h2').textContent(), POLL)
      .toBe('Ihre Daten auf diesem Gerät');
    expect(await panel.getByRole('button', { name: 'Meinen Verlauf löschen' }).count()).toBe(1);
    await saveScreenshot(page, 'demo-de-privacy');
    expectClean(problems);
    await context.close();
  });
});

describe('auto-tracking from the shop markup', () => {
  it('records the search form, a basket removal and the order confirmation', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(demo.url);
    await sdkReady(page);
    await page.locator('.search input').fill('dragon');
    await page.locator('.search button').click();
    await page.waitForURL(/category\.html\?q=dragon/);
    await sdkReady(page);
    await expect
      .poll(
        async () =>
          (await instanceEvents(page)).filter((e) => e.type === 'search').map((e) => e.query),
        POLL,
      )
      .toEqual(['dragon']);

    await viewProduct(page, 'bk-0016');
    await page.locator('[data-shop="add"]').click();
    await viewProduct(page, 'bk-0029');
    await page.locator('[data-shop="add"]').click();
    await page.goto(url('cart.html'));
    await sdkReady(page);
    await page.locator('[data-likewise-remove="bk-0029"][data-cart-remove]').click();
    await page.locator('[data-shop="checkout"]').click();
    await expect
      .poll(async () => {
        const events = await instanceEvents(page);
        return events
          .filter((e) => e.type === 'remove_from_cart' || e.type === 'purchase')
          .map((e) => [e.type, e.itemId ?? e.items?.map((l) => l.itemId).join()]);
      }, POLL)
      .toEqual([
        ['remove_from_cart', 'bk-0029'],
        ['purchase', 'bk-0016'],
      ]);
    expectClean(problems);
    await context.close();
  });
});
