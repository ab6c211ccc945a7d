// What the performance test (test/browser/performance.test.ts) and the
// browser benchmark (bench/browser.mjs) both do to a page: a seeded
// shopping history written through the SDK, a stand-in collector, and a
// probe that notes the first frame in which a likewise widget shows items.

/**
 * Answers the demo's `POST /collect` in the browser itself, so seeded
 * histories never reach the demo's collected log (examples/generated).
 *
 * @param {import('playwright-core').BrowserContext} context
 */
export async function stubCollector(context) {
  await context.route(
    (u) => u.pathname === '/collect',
    (route) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: '{"accepted":true}' }),
  );
}

/**
 * Writes `count` events through `window.Likewise.instance.track` on an open
 * page (the SDK must be ready): sessions of about ten events an hour apart
 * over the last `days` days, each session browsing one category (views, some
 * clicks and add-to-carts), so on-device learning has real co-occurrences.
 * Resolves with how many events the SDK then holds.
 *
 * @param {import('playwright-core').Page} page
 * @param {{ count: number, items: { id: string, category?: string }[], days?: number }} options
 * @returns {Promise<number>}
 */
export function seedHistory(page, { count, items, days = 30 }) {
  return page.evaluate(
    async ({ count, items, days }) => {
      const lw = window.Likewise?.instance;
      if (!lw) throw new Error('seedHistory: the SDK is not ready');
      const byCategory = new Map();
      for (const item of items) {
        const key = item.category ?? '';
        byCategory.set(key, [...(byCategory.get(key) ?? []), item.id]);
      }
      const shelves = [...byCategory.values()];
      let seed = 7;
      const random = () => {
        seed = (seed * 1103515245 + 12345) % 2147483648;
        return seed / 2147483648;
      };
      const start = Date.now() - days * 86400000;
      const step = (days * 86400000) / count;
      const calls = [];
      for (let i = 0; i < count; i++) {
        const shelf = shelves[Math.floor(i / 10) % shelves.length];
        const itemId = shelf[Math.floor(random() * shelf.length)];
        const roll = random();
        const type = roll < 0.75 ? 'view' : roll < 0.92 ? 'click' : 'add_to_cart';
        calls.push(lw.track({ type, itemId, ts: Math.round(start + i * step) }));
      }
      await Promise.all(calls);
      return (await lw.events()).length;
    },
    { count, items, days },
  );
}

/**
 * Runs in the page before its scripts (`context.addInitScript`): on every
 * animation frame until one shows items, looks for a `[data-likewise]`
 * container whose widget has items and is no longer loading; then stores
 * `{ widget, at, ids }` in `window.__lwFirstWidget` (`at`: performance.now()
 * of that frame), marks the trace with `console.timeStamp('likewise:first-widget')`
 * and says so on the console, for {@link waitForFirstWidget}.
 */
export function firstWidgetProbe() {
  const find = () => {
    for (const container of document.querySelectorAll('[data-likewise]')) {
      const roots = [container];
      for (const el of container.querySelectorAll('*'))
        if (el.shadowRoot) roots.push(el.shadowRoot);
      const items = roots.flatMap((r) => [...r.querySelectorAll('[data-likewise-item]')]);
      const busy = roots.some((r) => r.querySelector('[aria-busy="true"]'));
      const ids = items
        .map((li) => li.querySelector('a[href]'))
        .filter(Boolean)
        .map((a) => new URL(a.href).searchParams.get('id'))
        .filter(Boolean);
      if (ids.length && !busy) return { widget: container.getAttribute('data-likewise'), ids };
    }
    return undefined;
  };
  const frame = (now) => {
    const hit = find();
    if (!hit) {
      requestAnimationFrame(frame);
      return;
    }
    window.__lwFirstWidget = { ...hit, at: now };
    console.timeStamp('likewise:first-widget');
    console.debug('likewise:first-widget');
  };
  requestAnimationFrame(frame);
}

/**
 * Waits for the first widget {@link firstWidgetProbe} notes in `page`, and
 * resolves what it noted. Call it before the navigation it waits for. It
 * listens for the probe's console message rather than polling the page
 * (`page.waitForFunction`): Playwright runs its own injected script in the
 * page to poll, a main-thread task of its own in the middle of the load
 * being measured, which no shopper's browser runs.
 *
 * @param {import('playwright-core').Page} page
 * @param {number} [timeout] - ms, default 15,000
 * @returns {Promise<{ widget: string, at: number, ids: string[] }>}
 */
export async function waitForFirstWidget(page, timeout = 15_000) {
  await page.waitForEvent('console', {
    predicate: (m) => m.text() === 'likewise:first-widget',
    timeout,
  });
  return page.evaluate(() => window.__lwFirstWidget);
}

/**
 * Ms of a fixed JavaScript task (a seeded loop) in a fresh page of
 * `browser`: the same work every time, so a benchmark can print what the
 * machine's load made of a known task beside its own figures.
 *
 * @param {import('playwright-core').Browser} browser
 * @returns {Promise<number>}
 */
export async function calibrate(browser) {
  const context = await browser.newContext();
  const tab = await context.newPage();
  const ms = await tab.evaluate(() => {
    const t0 = performance.now();
    let x = 1;
    const a = new Float64Array(4096);
    for (let i = 0; i < 4_000_000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648;
      a[i & 4095] += x;
    }
    return a[7] === -1 ? 0 : performance.now() - t0;
  });
  await context.close();
  return ms;
}
