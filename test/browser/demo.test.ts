// The demo shop itself, whatever state the SDK is in: pages load cleanly,
// the CSP page is really under the strict policy and the shop's own code
// does not violate it, and screenshots are saved for a human to look at.
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRICT_CSP } from '../../examples/serve.mjs';
import {
  agreeToConsent,
  describeProblems,
  imagesSettled,
  launchBrowser,
  POLL,
  saveScreenshot,
  startDemo,
  watchProblems,
} from './harness';

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

async function openShop() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await agreeToConsent(context);
  const problems = await watchProblems(context);
  const page = await context.newPage();
  return { context, page, problems };
}

describe('demo shop', () => {
  it('home page loads like a shop, with no page errors', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(demo.url, { waitUntil: 'load' });
    // The shop's own "new in store" grid is filled from catalog.json.
    await page.waitForSelector('[data-shop-grid="new"] .card:not(.skeleton) .card-title');
    await expect
      .poll(() => page.locator('[data-shop-grid="new"] .card:not(.skeleton)').count(), POLL)
      .toBe(12);
    await imagesSettled(page);
    expect(await page.locator('[data-likewise="for-you"]').count()).toBe(1);
    expect(await page.locator('[data-likewise-segment="ready-to-buy"]').count()).toBe(1);
    expect(await page.locator('footer [data-likewise-privacy]').count()).toBe(1);
    await saveScreenshot(page, 'demo-home');
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    expect(problems.rejections(), describeProblems(problems.rejections())).toEqual([]);
    await context.close();
  });

  it('product page shows the book and marks it for auto-tracking', async () => {
    const { context, page, problems } = await openShop();
    const catalog = (await (await fetch(new URL('catalog.json', demo.url))).json()) as {
      id: string;
      title: string;
    }[];
    const book = catalog[4];
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(new URL(`product.html?id=${book.id}`, demo.url).href);
    await expect
      .poll(() => page.locator('[data-shop="title"]').textContent(), POLL)
      .toBe(book.title);
    expect(await page.getAttribute('[data-shop="product"]', 'data-likewise-view')).toBe(book.id);
    expect(await page.getAttribute('[data-likewise="similar"]', 'data-item-id')).toBe(book.id);
    // The product page loads likewise.full.js, which holds the widget file:
    // no preload of that file, and no request for it.
    await page.waitForSelector('[data-likewise="similar"] .likewise-host', { state: 'attached' });
    expect(asked).toContain('/dist/likewise.full.js');
    expect(asked).not.toContain('/dist/likewise.iife.js');
    expect(asked).not.toContain('/dist/likewise.widgets.mjs');
    expect(
      await page.$$eval('link[rel=modulepreload]', (l) => l.map((x) => x.getAttribute('href'))),
    ).toEqual(['/dist/likewise.measure.mjs']);
    await imagesSettled(page);
    await saveScreenshot(page, 'demo-product');
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    await context.close();
  });

  it('widget pages start the manifest and the parts with the HTML, and the SDK takes the preloaded answers', async () => {
    const { context, page, problems } = await openShop();
    const asked = new Map<string, number>();
    page.on('request', (r) => {
      const { pathname, search } = new URL(r.url());
      asked.set(pathname + search, (asked.get(pathname + search) ?? 0) + 1);
    });
    const warnings: string[] = [];
    page.on('console', (m) => {
      if (/preload/i.test(m.text())) warnings.push(m.text());
    });
    await page.goto(demo.url);
    await page.waitForSelector('[data-likewise="for-you"] [data-likewise-item]');
    const preloaded = await page.$$eval('link[rel=preload],link[rel=modulepreload]', (links) =>
      links.map((l) => new URL((l as HTMLLinkElement).href).pathname),
    );
    const manifest = (await (await fetch(new URL('model/manifest.json', demo.url))).json()) as {
      popularity: { file: string };
    };
    expect(preloaded).toEqual([
      '/model/manifest.json',
      // serve.mjs writes the file the manifest names: it changes with every training.
      `/model/${manifest.popularity.file}`,
      '/catalog.json',
      '/dist/likewise.widgets.mjs',
      '/dist/likewise.measure.mjs',
    ]);
    // One request each: a preload the SDK did not take (a crossorigin or URL
    // mismatch, or shop.js taking it first) would be fetched a second time.
    for (const path of preloaded) expect(asked.get(path), path).toBe(1);
    // The shop's grid asks for its own copy, under a URL of its own.
    expect(asked.get('/catalog.json?for=shop')).toBe(1);
    await page.waitForTimeout(3500);
    expect(warnings).toEqual([]);
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    await context.close();
  });

  it("the home page's first widget waits for no download that starts after likewise.iife.js", async () => {
    const { context, page, problems } = await openShop();
    await page.goto(demo.url);
    await page.waitForSelector('[data-likewise="for-you"] [data-likewise-item]');
    const entries = await page.evaluate(() =>
      performance.getEntriesByType('resource').map((e) => {
        const r = e as PerformanceResourceTiming;
        const { pathname, search } = new URL(r.name);
        return {
          path: pathname + search,
          start: r.startTime,
          bytes: r.transferSize,
          by: r.initiatorType,
        };
      }),
    );
    const script = entries.find((e) => e.path === '/dist/likewise.iife.js');
    const data = entries.filter((e) => /^\/model\/|^\/catalog\.json$/.test(e.path));
    // The manifest, popularity and the catalogue: each downloaded once, by a
    // preload in the <head>, before the script had even started.
    const downloaded = data.filter((e) => e.bytes > 0);
    expect(downloaded.map((e) => e.path).sort()).toEqual(
      [
        '/catalog.json',
        '/model/manifest.json',
        expect.stringMatching(/^\/model\/popularity-/),
      ].sort(),
    );
    for (const e of downloaded) {
      expect(e.by, e.path).toBe('link');
      expect(e.start, e.path).toBeLessThan(script!.start);
    }
    // And the SDK asked for none of them again: each request of its own
    // took a preloaded answer (which makes no entry of its own). Before
    // shop.js had a URL of its own, it took the catalogue's preload and the
    // SDK's request went out once its script ran, on the widget's path.
    expect(data.filter((e) => e.bytes === 0)).toEqual([]);
    expect(entries.filter((e) => e.path === '/catalog.json?for=shop').map((e) => e.by)).toEqual([
      'fetch',
    ]);
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    await context.close();
  });

  it('adding to the basket updates the count and the basket page', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(new URL('category.html?c=Fantasy', demo.url).href);
    await page.waitForSelector('[data-shop-grid="category"] .card:not(.skeleton)');
    const first = page.locator('[data-shop-grid="category"] .card-add:not([disabled])').first();
    await first.click();
    await expect.poll(() => page.locator('[data-cart-count]').textContent(), POLL).toBe('1');
    await page.goto(new URL('cart.html', demo.url).href);
    expect(await page.locator('.cart-line').count()).toBe(1);
    await saveScreenshot(page, 'demo-cart');
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    await context.close();
  });

  it('serves csp.html with the strict CSP, and the shop code violates none of it', async () => {
    const { context, page, problems } = await openShop();
    const response = await page.goto(new URL('csp.html', demo.url).href);
    expect(response?.headers()['content-security-policy']).toBe(STRICT_CSP);
    // Other pages do not get it (the import map of npm.html needs inline script).
    const home = await fetch(demo.url);
    expect(home.headers.get('content-security-policy')).toBeNull();
    await expect
      .poll(() => page.locator('[data-shop="title"]').textContent(), POLL)
      .not.toBe('Loading…');
    // The shop's stylesheet applied (style-src 'self' allows it).
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    expect(bg).toBe('rgb(250, 246, 239)');
    await page.locator('.card-add, [data-shop="add"]').first().click();
    expect(problems.cspViolations(), describeProblems(problems.cspViolations())).toEqual([]);
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    await context.close();
  });

  it('sees a CSP violation when one happens (the check above can fail)', async () => {
    const { context, page, problems } = await openShop();
    await page.goto(new URL('csp.html', demo.url).href);
    await page.evaluate(() => document.body.append(document.createElement('p')));
    await page.evaluate(() => document.body.lastElementChild?.setAttribute('style', 'color: red'));
    await expect.poll(() => problems.cspViolations().length, POLL).toBeGreaterThan(0);
    expect(problems.cspViolations()[0].text).toContain('style-src');
    await context.close();
  });

  it('every page loads without uncaught errors', async () => {
    const { context, page, problems } = await openShop();
    for (const path of [
      '',
      'category.html?c=Mystery',
      'category.html?q=the',
      'product.html?id=bk-0002',
      'cart.html',
      'npm.html',
      'element.html',
      'csp.html',
      'dashboard.html',
      'privacy.html',
    ]) {
      const response = await page.goto(new URL(path, demo.url).href, { waitUntil: 'load' });
      expect(response?.status(), path).toBe(200);
      await page.waitForTimeout(200);
    }
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    expect(problems.rejections(), describeProblems(problems.rejections())).toEqual([]);
    await context.close();
  });

  it('refuses directory traversal and serves nothing outside the shop', async () => {
    for (const path of [
      '/..%2fpackage.json',
      '/%2e%2e/package.json',
      '/dist/..%2f..%2fpackage.json',
      '/node_modules/typescript/package.json',
      '/generated/catalog.json',
      '/.gitignore',
      '/partials/head.html',
    ]) {
      const r = await fetch(demo.url.replace(/\/$/, '') + path);
      expect(r.status, path).toBe(404);
    }
    const r = await fetch(new URL('covers/bk-0001.svg', demo.url));
    expect(r.headers.get('content-type')).toBe('image/svg+xml');
  });
});
