// A returning visitor's stored history shapes the first list a product
// page paints (issue #11, latency): whatever a page does to show widgets
// sooner, a widget does not render from the model alone while the visitor's
// stored events are still being read. No wall-clock assertions:
// bench/browser.mjs and bench/bigshop.mjs print the times.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  EVENTS_DB,
  expectClean,
  openShop,
  POLL,
  readStoredRecords,
  readWidgetIds,
  sdkReady,
  useDemoShop,
  type W,
} from './harness';
import { type FirstWidget, firstWidgetProbe, waitForFirstWidget } from './workload.mjs';

const shop = useDemoShop();

/**
 * Holds every read of the visitor's event log (`getAll` on
 * `likewise-shop.events`) until the page calls `__readLog()`: the read is
 * made, and its answer handed over then.
 */
async function holdLogReads(context: BrowserContext) {
  await context.addInitScript(() => {
    const w = window as unknown as { __readLog(): void };
    const held: (() => void)[] = [];
    let released = false;
    w.__readLog = () => {
      released = true;
      for (const answer of held.splice(0)) answer();
    };
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (this: IDBObjectStore, ...args: []) {
      const real = getAll.apply(this, args);
      if (released || this.transaction.db.name !== 'likewise-shop.events') return real;
      const stand = {
        get result() {
          return real.result;
        },
        get error() {
          return real.error;
        },
      } as unknown as IDBRequest<unknown[]>;
      const answer = (e: Event) =>
        (real.error ? stand.onerror : stand.onsuccess)?.call(real as IDBRequest<unknown[]>, e);
      real.onsuccess = real.onerror = (e) => {
        if (released) answer(e);
        else held.push(() => answer(e));
      };
      return stand;
    };
  });
}

/**
 * Notes in `__firstLists` the first ids each `[data-likewise]` widget shows
 * (by scenario), checked on every animation frame until the page goes.
 */
async function noteFirstLists(context: BrowserContext) {
  await context.addInitScript({
    content: `(() => {
      const readWidgetIds = ${readWidgetIds.toString()};
      const lists = (window.__firstLists = {});
      const frame = () => {
        for (const el of document.querySelectorAll('[data-likewise]')) {
          const type = el.getAttribute('data-likewise');
          if (lists[type]) continue;
          const ids = readWidgetIds('[data-likewise="' + type + '"]');
          if (ids.length) lists[type] = ids;
        }
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })();`,
  });
}

/** The first list painted on `path` (the first-widget probe), waiting as a shopper would. */
async function firstPainted(page: Page, path: string): Promise<FirstWidget> {
  const shown = waitForFirstWidget(page);
  await page.goto(shop.url(path));
  return shown;
}

describe("a returning visitor's history comes first (issue #11)", () => {
  it("a returning visitor's stored history still shapes the first list painted (a carted item is left out)", async () => {
    const { context, page, problems } = await openShop(shop.browser);
    // Tall enough for every widget of the page to render at load (they render near the viewport).
    await page.setViewportSize({ width: 1280, height: 4000 });
    await noteFirstLists(context);
    await context.addInitScript(firstWidgetProbe);
    const item = shop.catalog[7].id;
    const lists = () =>
      page.evaluate(
        () => (window as unknown as { __firstLists: Record<string, string[]> }).__firstLists,
      );
    await firstPainted(page, `product.html?id=${item}`);
    await sdkReady(page);
    await expect.poll(async () => (await lists()).similar?.length ?? 0, POLL).toBeGreaterThan(0);
    // The visitor carts the first item the similar widget showed, on this device.
    const carted = (await lists()).similar[0];
    await page.evaluate(
      (id) => (window as W).Likewise?.instance?.track({ type: 'add_to_cart', itemId: id }),
      carted,
    );
    await expect
      .poll(
        async () =>
          ((await page.evaluate(readStoredRecords, EVENTS_DB)) ?? []).some(
            (e) => (e as { type?: string })?.type === 'add_to_cart',
          ),
        { ...POLL, message: 'the cart stored' },
      )
      .toBe(true);

    // Next page: the visitor's history cannot be read until the page has
    // everything else a list needs (the model's files and the catalogue).
    await holdLogReads(context);
    await page.goto(shop.url(`product.html?id=${item}`));
    await expect
      .poll(
        () =>
          page.evaluate(() =>
            ['/model/model-', '/catalog.json'].every((f) =>
              performance.getEntriesByType('resource').some((r) => r.name.includes(f)),
            ),
          ),
        POLL,
      )
      .toBe(true);
    await page.evaluate(
      () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
    );
    // No list painted without the history.
    expect(await lists()).toEqual({});
    await page.evaluate(() => (window as unknown as { __readLog(): void }).__readLog());
    await expect.poll(async () => (await lists()).similar?.length ?? 0, POLL).toBeGreaterThan(0);
    // The first list painted leaves the carted item out.
    expect((await lists()).similar).not.toContain(carted);
    expectClean(problems);
    await context.close();
  });
});
