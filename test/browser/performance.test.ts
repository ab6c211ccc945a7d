// Issue #4 budgets, the behaviour half: on the demo home page the first
// widget paints with items backed by the loaded model, also with 2,000
// stored events (on-device training), which runs on the main thread: no Worker.
// No wall-clock assertions: bench/browser.mjs prints the times.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Book,
  expectClean,
  instanceEvents,
  launchBrowser,
  openShop,
  sdkReady,
  startDemo,
  type W,
} from './harness';
import { type FirstWidget, firstWidgetProbe, seedHistory, stubCollector } from './workload.mjs';

let browser: Browser;
let demo: Awaited<ReturnType<typeof startDemo>>;
let catalog: Book[];

beforeAll(async () => {
  demo = await startDemo();
  browser = await launchBrowser();
  catalog = (await (await fetch(new URL('catalog.json', demo.url))).json()) as Book[];
});

afterAll(async () => {
  await browser?.close();
  await demo?.close();
});

/**
 * Seeds `count` events, then loads the home page with the first-widget probe;
 * resolves with what the probe saw, the worker scripts started, and the page.
 */
async function loadHome(count: number, items: Book[]) {
  const { context, page, problems } = await openShop(browser);
  await stubCollector(context);
  await page.goto(new URL('privacy.html', demo.url).href);
  await sdkReady(page);
  expect(await seedHistory(page, { count, items })).toBe(count);
  await context.addInitScript(firstWidgetProbe);
  const workers: string[] = [];
  page.on('worker', (worker) => workers.push(worker.url()));
  await page.goto(demo.url);
  await page.waitForFunction(() => !!(window as { __lwFirstWidget?: unknown }).__lwFirstWidget);
  const first = (await page.evaluate(
    () => (window as { __lwFirstWidget?: unknown }).__lwFirstWidget,
  )) as FirstWidget;
  return { context, page, problems, first, workers };
}

/** The ids `lw.recommend` picks for `type` from the model (reasons other than the trending fallback). */
function modelBacked(page: Page, type: string): Promise<string[]> {
  return page.evaluate(
    async (t) =>
      ((await (window as W).Likewise?.instance?.recommend({ type: t, limit: 30 })) ?? [])
        .filter((r) => r.reason?.kind === 'history')
        .map((r) => r.id),
    type,
  );
}

describe('first widget on the home page (issue #4 budgets, behaviour)', () => {
  it('a returning visitor: the first widget painted is "for you" with model-backed items', async () => {
    const fantasy = catalog.filter((b) => b.category === 'Fantasy').slice(0, 5);
    const { context, page, problems, first } = await loadHome(5, fantasy);
    expect(first.widget).toBe('for-you');
    const backed = await modelBacked(page, 'for-you');
    expect(backed.length).toBeGreaterThan(0);
    // Every item of that first frame came from the model's neighbours of the history.
    for (const id of first.ids) expect(backed, `${id} is model-backed`).toContain(id);
    expectClean(problems);
    await context.close();
  });

  it('2,000 stored events: the first widget still paints model-backed items, learnt on the main thread (no Worker)', async () => {
    const { context, page, problems, first, workers } = await loadHome(2000, catalog);
    expect(first.widget).toBe('for-you');
    expect((await instanceEvents(page)).length).toBeGreaterThanOrEqual(2000);
    // With most of the shop seen, the list ends in trending fill-ins; it leads with the model's picks.
    const backed = await modelBacked(page, 'for-you');
    expect(backed, `first frame: ${first.ids.join(', ')}`).toContain(first.ids[0]);
    expect(workers, 'likewise starts no Worker').toEqual([]);
    expectClean(problems);
    await context.close();
  });
});
