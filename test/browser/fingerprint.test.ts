// RELIABILITY 24 at runtime, in Chromium: no part of likewise reads a
// fingerprinting surface. Watchers wrap navigator, screen, canvas, WebGL,
// audio, font and similar APIs before any page script runs, and record each
// read whose stack has a frame of a likewise file (anything under /dist/).
// Then every part is exercised: the core and auto-tracking, the five
// widgets and `<likewise-recs>`, the recommender, on-device learning, measurement and the
// outbox (a send, and the beacon on leaving), extras (report, profile,
// rerank, identify, targeted content) and the privacy panel, and the npm
// build. `test/build/bundles.test.ts` is the static half.
import type { BrowserContext, Page, Route } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  agreeToConsent,
  expectClean,
  POLL,
  readWidgetIds,
  servePage,
  useDemoShop,
  VIEWPORT,
  type W,
  watchProblems,
} from './harness';

const shop = useDemoShop();

/** One read of a watched surface: what, and the likewise file that made it. */
interface Hit {
  what: string;
  file: string;
}

/**
 * Installs the watchers and reports each read with a /dist/ frame to
 * `report`. Runs before any page script (as an init script).
 */
function watchers(report: (hit: { what: string; file: string }) => void) {
  const g = globalThis as unknown as Record<string, unknown>;
  const note = (what: string) => {
    const stack = new Error().stack ?? '';
    const file = /\/(dist|node_modules\/idb-keyval)\/[^\s):]+/.exec(stack)?.[0];
    if (file) report({ what, file });
  };
  /** Wraps a getter or a method (calls and `new`) of `obj[key]` so that each use is noted. */
  const watch = (obj: unknown, key: string, what = key) => {
    if (!obj) return;
    const d = Object.getOwnPropertyDescriptor(obj, key);
    if (!d?.configurable) return;
    if (d.get) {
      const get = d.get;
      Object.defineProperty(obj, key, {
        ...d,
        get() {
          note(what);
          return get.call(this);
        },
      });
    } else if (typeof d.value === 'function') {
      const f = d.value as (...a: unknown[]) => unknown;
      Object.defineProperty(obj, key, {
        ...d,
        value: new Proxy(f, {
          apply(t, self, args) {
            note(what);
            return Reflect.apply(t, self, args);
          },
          construct(t, args, target) {
            note(what);
            return Reflect.construct(t, args, target);
          },
        }),
      });
    }
  };
  const proto = (name: string) => (g[name] as { prototype?: object } | undefined)?.prototype;
  for (const nav of ['Navigator'])
    for (const key of [
      'plugins',
      'mimeTypes',
      'hardwareConcurrency',
      'deviceMemory',
      'languages',
      // Read only as the locale fallback of a page without <html lang> (these pages have one).
      'language',
      'platform',
      'userAgent',
      'userAgentData',
      'vendor',
      'maxTouchPoints',
      'connection',
      'doNotTrack',
      'webdriver',
      'getBattery',
      'getGamepads',
      'javaEnabled',
      'mediaDevices',
      'keyboard',
    ])
      watch(proto(nav), key, `navigator.${key}`);
  for (const key of [
    'width',
    'height',
    'availWidth',
    'availHeight',
    'availLeft',
    'availTop',
    'colorDepth',
    'pixelDepth',
    'orientation',
    'isExtended',
  ])
    watch(proto('Screen'), key, `screen.${key}`);
  for (const key of [
    'screen',
    'devicePixelRatio',
    'outerWidth',
    'outerHeight',
    'screenX',
    'screenY',
    'screenLeft',
    'screenTop',
    'AudioContext',
    'OfflineAudioContext',
    'webkitAudioContext',
    'OffscreenCanvas',
    'RTCPeerConnection',
    'queryLocalFonts',
  ])
    watch(g, key);
  for (const key of ['getContext', 'toDataURL', 'toBlob'])
    watch(proto('HTMLCanvasElement'), key, `canvas.${key}`);
  for (const key of ['measureText', 'getImageData', 'isPointInPath'])
    watch(proto('CanvasRenderingContext2D'), key, `canvas2d.${key}`);
  for (const gl of ['WebGLRenderingContext', 'WebGL2RenderingContext'])
    for (const key of [
      'getParameter',
      'getExtension',
      'getSupportedExtensions',
      'getShaderPrecisionFormat',
      'readPixels',
    ])
      watch(proto(gl), key, `webgl.${key}`);
  for (const key of ['check', 'load']) watch(proto('FontFaceSet'), key, `fonts.${key}`);
  watch(proto('Document'), 'fonts', 'document.fonts');
  watch(proto('SpeechSynthesis'), 'getVoices', 'speechSynthesis.getVoices');
  watch(proto('StorageManager'), 'estimate', 'storage.estimate');
  watch(Intl.DateTimeFormat.prototype, 'resolvedOptions', 'Intl.DateTimeFormat.resolvedOptions');
  watch(Date.prototype, 'getTimezoneOffset', 'Date.getTimezoneOffset');
  // Media queries that reveal the device (screen size, resolution, colour).
  const mm = g.matchMedia as ((q: string) => MediaQueryList) | undefined;
  if (mm)
    g.matchMedia = function (this: unknown, query: string) {
      if (/device|resolution|color|monochrome|aspect|pointer|hover/i.test(query))
        note(`matchMedia(${query})`);
      return mm.call(this, query);
    };
}

/** Every part of likewise at once: containers, element, panel link, targeted content, a product. */
const PAGE = (itemId: string, others: string[]) => `
<script type="application/ld+json">${JSON.stringify({ '@context': 'https://schema.org', '@type': 'Product', sku: itemId, name: 'Book', offers: { price: 9.99, priceCurrency: 'EUR' } })}</script>
<button data-likewise-cart="${itemId}" data-likewise-price="9.99" data-likewise-currency="EUR">Add</button>
<a href="#privacy" data-likewise-privacy>Your recommendations</a>
<aside data-likewise-segment="browsing, comparing, new">for browsers</aside>
<ul data-likewise-rerank>${others.map((id) => `<li data-likewise-item="${id}"><a href="/product.html?id=${id}">${id}</a></li>`).join('')}</ul>
${['similar', 'bought-together', 'for-you', 'recently-viewed', 'trending']
  .map(
    (type) =>
      `<div data-likewise="${type}" data-item-id="${itemId}" data-lazy="false" data-dismissible data-show-reason></div>`,
  )
  .join('\n')}
<likewise-recs type="trending" limit="4"></likewise-recs>
<script src="/dist/likewise.iife.js" data-site="shop" data-catalog="/catalog.json" data-model="/model/manifest.json" data-endpoint="/collect" data-holdout="0.5" async></script>`;

/** A control: a file under /dist/ that reads surfaces on purpose, so the watchers are shown to work. */
const PROBE = `void navigator.hardwareConcurrency; void screen.width; void devicePixelRatio;
document.createElement('canvas').getContext('2d'); void new OfflineAudioContext(1, 1, 44100); void document.fonts;`;

async function watched(context: BrowserContext): Promise<Hit[]> {
  const hits: Hit[] = [];
  await context.exposeBinding('__fingerprintHit', (_source, hit: Hit) => hits.push(hit));
  await context.addInitScript(`(${watchers.toString()})((hit) => window.__fingerprintHit(hit));`);
  await context.route('**/dist/likewise.probe.js', (route: Route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: PROBE }),
  );
  return hits;
}

const widgetsShown = (page: Page, types: string[]) =>
  expect
    .poll(
      () =>
        page.evaluate(
          ({ types, read }) => {
            const f = new Function('s', `return (${read})(s)`) as (s: string) => string[];
            return types.every((t) => f(`[data-likewise="${t}"]`).length > 0);
          },
          { types, read: readWidgetIds.toString() },
        ),
      { timeout: 15_000, interval: 200 },
    )
    .toBe(true);

describe('no fingerprinting surface read at runtime (RELIABILITY 24)', () => {
  it('every part of likewise, exercised in Chromium: 0 reads; the watchers catch a probe that reads them', async () => {
    const context = await shop.browser.newContext({ viewport: VIEWPORT });
    await agreeToConsent(context);
    const problems = await watchProblems(context);
    const hits = await watched(context);
    const [book, ...others] = shop.catalog.slice(0, 6).map((b) => b.id);
    await servePage(context, '/everything.html', PAGE(book, others));
    const page = await context.newPage();
    const dist = new Set<string>();
    context.on('request', (r) => {
      if (r.url().includes('/dist/')) dist.add(new URL(r.url()).pathname);
    });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST' && r.url().endsWith('/collect')) posts.push(r.url());
    });

    // First visit: every widget, a click, a dismissal, a cart button.
    await page.goto(shop.url('everything.html'));
    await widgetsShown(page, ['similar', 'bought-together', 'for-you', 'trending']);
    await page.evaluate(() => window.addEventListener('click', (e) => e.preventDefault()));
    await page.locator('[data-likewise="similar"] a[href]').first().click();
    await page.locator('[data-likewise="trending"] button').first().click();
    await page.click('[data-likewise-cart]');
    // The recommender and the extras, through the API.
    await page.evaluate(
      async (ids) => {
        const lw = (window as W).Likewise?.instance as NonNullable<W['Likewise']>['instance'] & {
          profile(): Promise<unknown>;
          rerank(ids: string[]): Promise<string[]>;
          identify(id: string): Promise<void>;
        };
        for (const type of ['similar', 'bought-together', 'for-you', 'recently-viewed', 'trending'])
          await lw?.recommend({ type, itemId: ids[0], limit: 6 });
        await lw?.report();
        await lw?.profile();
        await lw?.rerank(ids);
        await lw?.identify('customer-1');
      },
      [book, ...others],
    );
    // The outbox sends (its first send waits 1 s).
    await expect.poll(() => posts.length, { timeout: 10_000 }).toBeGreaterThan(0);
    // The privacy panel, opened and closed.
    await page.click('[data-likewise-privacy]');
    await expect
      .poll(() => page.locator('.likewise-privacy').count(), { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.keyboard.press('Escape');

    // Leaving (pagehide: the outbox's beacon, the store's unload copy), then
    // a returning visitor: on-device learning, and the prefetch hint.
    await page.evaluate(() =>
      (window as W).Likewise?.instance?.track({ type: 'view', itemId: 'bk-0009' }),
    );
    await page.goto(shop.url('everything.html'));
    await widgetsShown(page, ['similar', 'for-you', 'recently-viewed', 'trending']);
    // Learning lives in the widget file, which this page (not only the first) loaded.
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            performance
              .getEntriesByType('resource')
              .some((e) => e.name.includes('/dist/likewise.widgets.mjs')),
          ),
        POLL,
      )
      .toBe(true);
    // Stop personalisation from the panel: consent denied, everything erased.
    await page.click('[data-likewise-privacy]');
    await page.getByRole('button', { name: 'Stop personalisation' }).click();
    await expect
      .poll(() => page.evaluate(() => (window as W).Likewise?.instance?.consent))
      .toBe('denied');

    // The npm build, bundled by the page's own import map of dist/.
    await page.goto(shop.url('npm.html'));
    await expect
      .poll(() => page.locator('[data-npm="similar"] a[href]').count(), { timeout: 15_000 })
      .toBeGreaterThan(0);

    // The control: a file under /dist/ reading on purpose is caught, each read by name.
    await page.evaluate(
      () =>
        new Promise((done) => {
          const s = document.createElement('script');
          s.src = '/dist/likewise.probe.js';
          s.onload = s.onerror = done;
          document.head.append(s);
        }),
    );
    const probe = hits.filter((h) => h.file.endsWith('likewise.probe.js')).map((h) => h.what);
    expect(new Set(probe)).toEqual(
      new Set([
        'navigator.hardwareConcurrency',
        'screen',
        'screen.width',
        'devicePixelRatio',
        'canvas.getContext',
        'OfflineAudioContext',
        'document.fonts',
      ]),
    );
    // And likewise itself read nothing.
    const ours = hits.filter((h) => !h.file.endsWith('likewise.probe.js'));
    expect(ours, JSON.stringify(ours.slice(0, 10))).toEqual([]);
    // Every part was loaded.
    for (const part of ['iife.js', 'widgets', 'measure', 'extras', 'erase'])
      expect([...dist].join(), part).toContain(`/dist/likewise.${part}`);
    expect([...dist].join(), 'the npm build').toContain('/dist/esm/');
    expectClean(problems);
    await context.close();
  });
});
