// A whole catalogue (the demo's data-catalog="/catalog.json") in a real
// browser: the widgets check only the entries they show, and the check of
// every other entry (which a profile needs) waits for the browser's idle
// moments (requestIdleCallback, which happy-dom does not have).
import { describe, expect, it } from 'vitest';
import type { Likewise } from '../../src/createLikewise';
import { describeProblems, openShop, sdkReady, useDemoShop, widgetIds } from './harness';

const shop = useDemoShop();

type Idle = Window & { __idle: IdleRequestCallback[] };

describe('a whole catalogue in a real browser', () => {
  it('widgets render while idle moments are held; every entry is checked once they come', async () => {
    const { context, page, problems } = await openShop(shop.browser);
    // The page's idle moments, held until the test lets them run.
    await context.addInitScript(() => {
      const w = window as unknown as Idle;
      w.__idle = [];
      w.requestIdleCallback = (callback) => w.__idle.push(callback);
    });
    await page.goto(shop.url('/'));
    await sdkReady(page);
    expect(await widgetIds(page, '[data-likewise="trending"]')).toHaveLength(6);

    // A profile reads every entry: it waits for the idle moments.
    await page.evaluate(() => {
      const w = window as unknown as { __profile?: string; Likewise: { instance: Likewise } };
      w.Likewise.instance.profile().then(
        () => (w.__profile = 'done'),
        (e: Error) => (w.__profile = e.message),
      );
    });
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => (window as { __profile?: string }).__profile)).toBeUndefined();
    expect(await page.evaluate(() => (window as unknown as Idle).__idle.length)).toBeGreaterThan(0);

    // Idle moments again: the entries are checked a slice at a time, and the profile follows.
    const slices = await page.evaluate(async () => {
      const w = window as unknown as Idle & { __profile?: string };
      let slices = 0;
      for (let i = 0; i < 200 && !w.__profile; i++) {
        for (const callback of w.__idle.splice(0)) {
          slices++;
          callback({ didTimeout: false, timeRemaining: () => 10 });
        }
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return slices;
    });
    expect(await page.evaluate(() => (window as { __profile?: string }).__profile)).toBe('done');
    expect(slices).toBeGreaterThan(0);
    expect(problems.all, describeProblems(problems.all)).toEqual([]);
    await context.close();
  });
});
