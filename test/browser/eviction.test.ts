// Storage eviction as Safari does it (script-written storage deleted after 7
// days without a visit; browsers also evict under pressure): localStorage and
// IndexedDB cleared between visits, with DevTools `Storage.clearDataForOrigin`.
// What survives (nothing on the device), what the consent floor is, and what
// happens to the visitor id, the holdout group and measurement.
import type { BrowserContext, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { assignGroup } from '../../src/metrics/assignGroup';
import { computeReport } from '../../src/metrics/computeReport';
import type { LikewiseEvent } from '../../src/types';
import {
  databaseNames,
  EVENTS_DB,
  expectClean,
  servePage,
  storedCount,
  useDemoShop,
  VIEWPORT,
  type W,
  watchProblems,
} from './harness';

const shop = useDemoShop();
const EXPERIMENT = { holdout: 0.5 };

/** The tag with the demo's collector and a 50 % holdout; `consent` as the page passes it. */
const tag = (consent?: string) =>
  `<script src="/dist/likewise.iife.js" data-site="shop" data-catalog="/catalog.json" data-model="/model/manifest.json" data-endpoint="/collect" data-holdout="0.5"${consent ? ` data-consent="${consent}"` : ''} async></script>`;

/** A fresh context whose pages are served by the test, with every event the collector receives. */
async function visitor() {
  const context = await shop.browser.newContext({ viewport: VIEWPORT });
  const problems = await watchProblems(context);
  for (const consent of ['', 'pending', 'denied'])
    await servePage(context, `/page-${consent || 'default'}.html`, tag(consent));
  const collected: LikewiseEvent[] = [];
  context.on('request', (r) => {
    if (r.method() === 'POST' && r.url().endsWith('/collect'))
      collected.push(...(JSON.parse(r.postData() ?? '[]') as LikewiseEvent[]));
  });
  const page = await context.newPage();
  return { context, page, problems, collected };
}

/** Opens the page of that consent and waits for the instance and its start-up. */
async function visit(page: Page, consent: '' | 'pending' | 'denied' = '') {
  await page.goto(shop.url(`page-${consent || 'default'}.html`));
  await page.waitForFunction(() => !!(window as W).Likewise?.instance, undefined, {
    timeout: 10_000,
  });
  await page.evaluate(() => (window as W).Likewise?.instance?.ready);
}

/** What Safari does after 7 days without a visit: every script-written store of the origin gone. */
async function evict(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Storage.clearDataForOrigin', {
    origin: new URL(shop.demo.url).origin,
    storageTypes: 'local_storage,indexeddb',
  });
  await cdp.detach();
}

const lw = <T>(page: Page, f: (lw: NonNullable<NonNullable<W['Likewise']>['instance']>) => T) =>
  page.evaluate(
    ({ body }) => {
      const instance = (window as W).Likewise?.instance;
      return new Function('lw', `return (${body})(lw)`)(instance);
    },
    { body: f.toString() },
  ) as Promise<Awaited<T>>;

const track = (page: Page, event: Record<string, unknown>) =>
  page.evaluate((e) => (window as W).Likewise?.instance?.track(e), event);

/** The stamps of the page's events: visitor id and group, as stored and sent. */
const stamps = async (page: Page) =>
  (await lw(page, (l) => l.events())).map((e) => `${e.visitor}/${e.group}`);

describe('storage evicted between visits (Safari after 7 days)', () => {
  it('a new visitor id and the group of that id; measurement counts two visitors and does not join them', async () => {
    const { context, page, problems, collected } = await visitor();
    const [book] = shop.catalog;
    await visit(page);
    await track(page, { type: 'view', itemId: book.id });
    await track(page, {
      type: 'click',
      itemId: book.id,
      widget: 'home',
      scenario: 'trending',
      pos: 0,
      rec: 'rec-1',
    });
    const [first] = new Set(await stamps(page));
    const [firstVisitor, firstGroup] = first.split('/');
    expect(firstGroup).toBe(assignGroup(firstVisitor, EXPERIMENT));
    await expect.poll(() => collected.length, { timeout: 10_000 }).toBeGreaterThanOrEqual(2);

    await evict(context, page);
    await visit(page);
    expect(await storedCount(page, EVENTS_DB), 'nothing survived on the device').toBe(0);
    await track(page, { type: 'purchase', itemId: book.id, price: 10, currency: 'EUR' });
    const second = [...new Set(await stamps(page))];
    expect(second, 'every event of the new visit carries one new stamp').toHaveLength(1);
    const [secondVisitor, secondGroup] = second[0].split('/');
    expect(secondVisitor).not.toBe(firstVisitor);
    // The group is that of the new id: nothing remembers the old one.
    expect(secondGroup).toBe(assignGroup(secondVisitor, EXPERIMENT));
    expect((await lw(page, (l) => l.events())).map((e) => e.type)).toEqual(['purchase']);
    await expect
      .poll(() => collected.filter((e) => e.type === 'purchase').length, { timeout: 10_000 })
      .toBe(1);

    // The collector's log: two visitors (one per group they fell in), and
    // the purchase after eviction is not attributed to the click before it.
    const report = computeReport(collected);
    expect(report.groups.reduce((n, g) => n + g.visitors, 0)).toBe(2);
    const row = report.widgets.find((w) => w.widget === 'home');
    expect(row?.clicks).toBe(1);
    expect(row?.purchases).toBe(0);
    // Not vacuous: had the visitor kept their id, the purchase would count for the click.
    const joined = computeReport(
      collected.map((e) => (e.visitor === secondVisitor ? { ...e, visitor: firstVisitor } : e)),
    );
    expect(joined.widgets.find((w) => w.widget === 'home')?.purchases).toBe(1);
    expectClean(problems);
    await context.close();
  });

  it('the denial is lost with the storage: the page passing consent "pending" or "denied" is the floor; with the default "granted" tracking starts again', async () => {
    const { context, page, problems, collected } = await visitor();
    const names = async () => (await databaseNames(page)).filter((n) => n.startsWith('likewise-'));

    // A consent manager's page: pending until it grants; the shopper then refuses in the panel.
    await visit(page, 'pending');
    await lw(page, (l) => l.setConsent('granted'));
    await track(page, { type: 'view', itemId: 'bk-0001' });
    await lw(page, (l) => l.setConsent('denied'));
    await visit(page, 'pending');
    expect(await lw(page, (l) => l.consent), 'the denial lasts while storage does').toBe('denied');

    await evict(context, page);
    await visit(page, 'pending');
    expect(await lw(page, (l) => l.consent), 'evicted: the page\'s "pending" is the floor').toBe(
      'pending',
    );
    const sent = collected.length;
    await track(page, { type: 'view', itemId: 'bk-0002' });
    await page.waitForTimeout(1500);
    expect(await names(), 'nothing stored').toEqual([]);
    expect(collected.length, 'nothing sent').toBe(sent);

    await visit(page, 'denied');
    expect(await lw(page, (l) => l.consent)).toBe('denied');
    await track(page, { type: 'view', itemId: 'bk-0003' });
    expect(await lw(page, (l) => l.events())).toEqual([]);

    // The default, a page without a consent manager: the refusal made in the
    // panel was only in the evicted storage, so the SDK tracks again.
    await visit(page);
    await lw(page, (l) => l.setConsent('denied'));
    await visit(page);
    expect(await lw(page, (l) => l.consent)).toBe('denied');
    await evict(context, page);
    await visit(page);
    expect(await lw(page, (l) => l.consent)).toBe('granted');
    await track(page, { type: 'view', itemId: 'bk-0004' });
    await expect.poll(() => storedCount(page, EVENTS_DB), { timeout: 10_000 }).toBeGreaterThan(0);
    expectClean(problems);
    await context.close();
  });

  it('storage cleared while a page is open: the next event is written to a new database, nothing breaks', async () => {
    const { context, page, problems } = await visitor();
    await visit(page);
    await track(page, { type: 'view', itemId: 'bk-0001' });
    await expect.poll(() => storedCount(page, EVENTS_DB), { timeout: 10_000 }).toBeGreaterThan(0);
    await evict(context, page);
    await track(page, { type: 'view', itemId: 'bk-0002' });
    await expect
      .poll(async () => (await lw(page, (l) => l.events())).map((e) => e.itemId), {
        timeout: 10_000,
      })
      .toContain('bk-0002');
    await expect.poll(() => storedCount(page, EVENTS_DB), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await lw(page, (l) => l.storage)).toBe('indexeddb');
    expectClean(problems);
    await context.close();
  });
});
