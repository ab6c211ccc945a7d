/**
 * Real-browser test harness: Debian Chromium driven by playwright-core, the
 * demo shop served on a random port, and a record of everything that went
 * wrong on the pages (uncaught errors, console errors, unhandled rejections,
 * CSP violations, layout shifts), in every frame.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Frame,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import { type DemoServer, startDemoServer } from '../../examples/serve.mjs';

/** Flags that keep headless Chromium quiet and deterministic on a CI box. */
export const CHROME_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

/**
 * Options for `expect.poll` on things the page does in the background: a
 * generous ceiling for a loaded 2-core box, not a performance assertion.
 */
export const POLL = { timeout: 5_000, interval: 100 };

/** Where screenshots go (gitignored). */
export const RESULTS_DIR = join(process.cwd(), 'test-results');

function executablePath(): string {
  const path = process.env.CHROME_PATH;
  if (!path)
    throw new Error('CHROME_PATH is not set: run the browser tests with test/browser/run.mjs');
  return path;
}

/** Launches headless Chromium with a fresh profile (no state between runs). */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: executablePath(), headless: true, args: CHROME_ARGS });
}

/** A persistent context (real on-disk profile: quota, storage across reloads) and its cleanup. */
export interface PersistentBrowser {
  context: BrowserContext;
  userDataDir: string;
  close(): Promise<void>;
}

/**
 * Launches Chromium with a persistent profile in a fresh temporary folder, for
 * tests that need real storage quota (DevTools `Storage.overrideQuotaForOrigin`).
 */
export async function launchPersistent(
  options: BrowserContextOptions = {},
): Promise<PersistentBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'likewise-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: executablePath(),
    headless: true,
    args: CHROME_ARGS,
    ...options,
  });
  return {
    context,
    userDataDir,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Starts the demo shop on a free port of 127.0.0.1. `LIKEWISE_DEMO_ROOT` may
 * point at another root (holding examples/, dist/, node_modules/), to try a
 * build written elsewhere without touching the shared dist/.
 */
export async function startDemo(): Promise<DemoServer> {
  // The tests' events go to a log of their own, not the demo's collected log.
  const dir = mkdtempSync(join(tmpdir(), 'likewise-collected-'));
  const demo = await startDemoServer({
    port: 0,
    root: process.env.LIKEWISE_DEMO_ROOT,
    collected: join(dir, 'collected.ndjson'),
    log: () => {},
  });
  return {
    ...demo,
    close: () => demo.close().finally(() => rmSync(dir, { recursive: true, force: true })),
  };
}

/** One thing that went wrong, with the URL of the page or frame it happened in. */
export interface Problem {
  kind: 'pageerror' | 'console' | 'error' | 'unhandledrejection' | 'csp';
  url: string;
  text: string;
}

/** Everything that went wrong in a context, grouped. */
export interface Problems {
  all: Problem[];
  /** Uncaught exceptions (Playwright `pageerror` and `error` events in any frame). */
  errors(): Problem[];
  consoleErrors(): Problem[];
  rejections(): Problem[];
  cspViolations(): Problem[];
  /** Forgets what was recorded so far (e.g. after setup). */
  reset(): void;
}

/** Runs in every frame before any page script: reports to the `__lwReport` binding. */
function problemProbe() {
  type Report = (kind: string, text: string) => void;
  const send = (kind: string, text: string) => {
    const report = (window as unknown as { __lwReport?: Report }).__lwReport;
    if (typeof report === 'function') report(kind, text);
  };
  window.addEventListener('error', (e) => {
    // Resource load errors (img, script) also fire here; the console reports those.
    if (!(e instanceof ErrorEvent)) return;
    send('error', `${e.message} (${e.filename}:${e.lineno})`);
  });
  window.addEventListener('unhandledrejection', (e) => {
    const r = e.reason as { stack?: string } | undefined;
    send('unhandledrejection', String(r?.stack ?? e.reason));
  });
  document.addEventListener('securitypolicyviolation', (e) => {
    send(
      'csp',
      `${e.violatedDirective} blocked=${e.blockedURI} at ${e.sourceFile}:${e.lineNumber} sample=${e.sample}`,
    );
  });
  // Layout shifts without recent input, with the elements that moved.
  const shifts: { value: number; sources: string[] }[] = [];
  (window as unknown as { __lwShifts: typeof shifts }).__lwShifts = shifts;
  const describe = (node: Node | null | undefined): string => {
    if (node instanceof Text)
      return `text "${(node.data ?? '').slice(0, 30)}" in ${describe(node.parentNode)}`;
    if (!node || !(node instanceof Element)) return String(node?.nodeName ?? 'null');
    const attrs = ['data-likewise', 'data-shop', 'class', 'id']
      .map((a) => (node.hasAttribute(a) ? `[${a}="${node.getAttribute(a)}"]` : ''))
      .join('');
    return `${node.tagName.toLowerCase()}${attrs}`;
  };
  try {
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries() as (PerformanceEntry & {
        value: number;
        hadRecentInput: boolean;
        sources?: { node?: Node | null }[];
      })[]) {
        if (entry.hadRecentInput) continue;
        shifts.push({
          value: entry.value,
          sources: (entry.sources ?? []).map((s) => describe(s.node)),
        });
      }
    }).observe({ type: 'layout-shift', buffered: true });
  } catch {
    // No layout-shift support: the CLS test then reads 0 shifts, and says so.
  }
}

/**
 * Records problems on every page (and frame) of `context`, present and
 * future. Call before opening pages.
 */
export async function watchProblems(context: BrowserContext): Promise<Problems> {
  const all: Problem[] = [];
  await context.exposeBinding('__lwReport', ({ frame }, kind: string, text: string) => {
    all.push({ kind: kind as Problem['kind'], url: frame.url(), text });
  });
  await context.addInitScript(problemProbe);
  const attach = (page: Page) => {
    page.on('pageerror', (e) =>
      all.push({ kind: 'pageerror', url: page.url(), text: e.stack ?? e.message }),
    );
    page.on('console', (m) => {
      if (m.type() === 'error') all.push({ kind: 'console', url: page.url(), text: m.text() });
    });
  };
  context.pages().forEach(attach);
  context.on('page', attach);
  const of = (...kinds: Problem['kind'][]) => all.filter((p) => kinds.includes(p.kind));
  return {
    all,
    errors: () => of('pageerror', 'error'),
    consoleErrors: () => of('console'),
    rejections: () => of('unhandledrejection'),
    cspViolations: () => of('csp'),
    reset: () => {
      all.length = 0;
    },
  };
}

/** Sum of layout-shift values on the page so far, and what moved. */
export async function layoutShifts(page: Page): Promise<{ cls: number; sources: string[] }> {
  return page.evaluate(() => {
    const shifts = (window as unknown as { __lwShifts?: { value: number; sources: string[] }[] })
      .__lwShifts;
    const list = shifts ?? [];
    return {
      cls: list.reduce((s, e) => s + e.value, 0),
      sources: list.flatMap((e) => e.sources),
    };
  });
}

/** Saves a full-page screenshot to test-results/NAME.png and returns its path. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until every image on the page has loaded (or failed), so screenshots show covers. */
export async function imagesSettled(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    Array.from(document.images).every((img) => img.complete || img.loading === 'lazy'),
  );
}

/** Formats problems for an assertion message. */
export function describeProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.kind} @ ${p.url}: ${p.text}`).join('\n');
}

/** What the tests use of `window.Likewise` (the script-tag build's namespace). */
export interface LikewiseLike {
  instance?: {
    track(input: Record<string, unknown>): Promise<void>;
    events(): Promise<
      {
        type: string;
        itemId?: string;
        items?: { itemId: string }[];
        query?: string;
        group?: string;
        visitor?: string;
      }[]
    >;
    setConsent(state: 'granted' | 'pending' | 'denied'): Promise<void>;
    forget(): Promise<void>;
    recommend(request: {
      type: string;
      itemId?: string;
      limit?: number;
    }): Promise<{ id: string; reason?: { kind?: string } }[]>;
    report(): Promise<{
      events: number;
      widgets: {
        widget: string;
        scenario: string;
        group: string;
        impressions: number;
        clicks: number;
      }[];
    }>;
    readonly consent: 'granted' | 'pending' | 'denied';
    readonly storage: 'indexeddb' | 'memory';
    readonly ready: Promise<void>;
  };
}

/** The page's window, for `page.evaluate` callbacks. */
export type W = Window & { Likewise?: LikewiseLike };

/** Waits for the script tag to start its instance, and for its start-up work. */
export async function sdkReady(target: Page | Frame): Promise<void> {
  await target.waitForFunction(() => !!(window as W).Likewise?.instance, undefined, {
    timeout: 10_000,
  });
  await target.evaluate(() => (window as W).Likewise?.instance?.ready);
}

/** Item ids linked from a widget (light DOM and open shadow roots), in order; runs in the page. */
export function readWidgetIds(selector: string): string[] {
  const container = document.querySelector(selector);
  if (!container) return [];
  const links: HTMLAnchorElement[] = [];
  const walk = (root: ParentNode) => {
    for (const el of Array.from(root.querySelectorAll('*'))) {
      if (el instanceof HTMLAnchorElement && el.hasAttribute('href')) links.push(el);
      if (el.shadowRoot) walk(el.shadowRoot);
    }
  };
  if (container.shadowRoot) walk(container.shadowRoot);
  walk(container);
  return links
    .map((a) => new URL(a.href).searchParams.get('id'))
    .filter((id): id is string => !!id);
}

/** Scrolls a widget into view (they render lazily) and waits for at least `min` items. */
export async function widgetIds(page: Page, selector: string, min = 1): Promise<string[]> {
  await page.evaluate(
    (s) => document.querySelector(s)?.scrollIntoView({ block: 'center' }),
    selector,
  );
  let ids: string[] = [];
  await expect
    .poll(
      async () => {
        ids = await page.evaluate(readWidgetIds, selector);
        return ids.length;
      },
      { timeout: 10_000, interval: 100, message: `${selector} rendered no items` },
    )
    .toBeGreaterThanOrEqual(min);
  return ids;
}

/** Every event the page's instance holds (stored and in memory). */
export function instanceEvents(
  page: Page,
): Promise<Awaited<ReturnType<NonNullable<LikewiseLike['instance']>['events']>>> {
  return page.evaluate(async () => (await (window as W).Likewise?.instance?.events()) ?? []);
}

/** The part of `navigator.storageBuckets` the in-page readers use (a type only: nothing to pass to the page). */
type PageBuckets = {
  keys(): Promise<string[]>;
  open(name: string): Promise<{ indexedDB: IDBFactory }>;
};

/**
 * Every record of a database (all object stores), read with plain IndexedDB,
 * not through the SDK; null when the database does not exist. Runs in the
 * page. Never creates the database: an upgrade on open means it was missing.
 * A site's disposable databases (`likewise-<site>.events`, `.session`) are
 * read from its storage bucket (`likewise-<site>`) where the browser has buckets,
 * as the SDK keeps it there; a missing bucket is a missing database.
 */
export async function readStoredRecords(name: string): Promise<unknown[] | null> {
  const buckets = (navigator as Navigator & { storageBuckets?: PageBuckets }).storageBuckets;
  const part = /^likewise-([\w-]+)\.(?:events|session)$/.exec(name);
  let factory = indexedDB;
  if (part && buckets) {
    // The SDK's bucketName, inlined: this runs in the page.
    const bucket = `likewise-${part[1].replace(/[A-Z_]/g, (c) => `_${c.toLowerCase()}`)}`;
    if (!(await buckets.keys()).includes(bucket)) return null;
    factory = (await buckets.open(bucket)).indexedDB;
  }
  return new Promise((resolve, reject) => {
    const request = factory.open(name);
    let missing = false;
    request.onupgradeneeded = () => {
      missing = true;
      request.transaction?.abort();
    };
    request.onerror = () => (missing ? resolve(null) : reject(request.error));
    request.onsuccess = () => {
      const db = request.result;
      db.onversionchange = () => db.close();
      const stores = Array.from(db.objectStoreNames);
      if (!stores.length) {
        db.close();
        resolve([]);
        return;
      }
      const tx = db.transaction(stores, 'readonly');
      const out: unknown[] = [];
      for (const store of stores) {
        const all = tx.objectStore(store).getAll();
        all.onsuccess = () => out.push(...all.result);
      }
      tx.oncomplete = () => {
        db.close();
        resolve(out);
      };
      tx.onerror = () => {
        db.close();
        reject(tx.error);
      };
    };
  });
}

/** How many records the database `name` holds (0 when it does not exist). */
export async function storedCount(page: Page, name: string): Promise<number> {
  return ((await page.evaluate(readStoredRecords, name)) ?? []).length;
}

/** The `query` of every event stored in the database `name` (aggregates included). */
export async function storedQueries(page: Page, name: string): Promise<string[]> {
  const records = (await page.evaluate(readStoredRecords, name)) ?? [];
  return records
    .flatMap((v) => (Array.isArray(v) ? v : [v]))
    .map((e) => (e as { query?: unknown } | null)?.query)
    .filter((q): q is string => typeof q === 'string');
}

/** Names of the origin's IndexedDB databases, those in its storage buckets included. */
export function databaseNames(page: Page): Promise<string[]> {
  return page.evaluate(async () => {
    const buckets = (navigator as Navigator & { storageBuckets?: PageBuckets }).storageBuckets;
    const factories = [indexedDB];
    for (const name of (await buckets?.keys()) ?? [])
      factories.push((await buckets!.open(name)).indexedDB);
    const names: string[] = [];
    for (const f of factories) for (const d of await f.databases()) if (d.name) names.push(d.name);
    return names;
  });
}

/** The events database of the demo shop's site. */
export const EVENTS_DB = 'likewise-shop.events';

/** The window size every browser test uses. */
export const VIEWPORT = { width: 1280, height: 800 };

/** A catalogue entry, as the tests read catalog.json. */
export interface Book {
  id: string;
  title: string;
  category?: string;
  inStock?: boolean;
}

/** No uncaught error and no unhandled rejection in any page or frame. */
export function expectClean(problems: Problems): void {
  expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
  expect(problems.rejections(), describeProblems(problems.rejections())).toEqual([]);
}

/** A fresh context (no state from other tests) with problems watched, and its first page. */
export async function openShop(
  browser: Browser,
): Promise<{ context: BrowserContext; page: Page; problems: Problems }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await agreeToConsent(context);
  const problems = await watchProblems(context);
  const page = await context.newPage();
  return { context, page, problems };
}

/**
 * The demo's tags start with `data-consent="pending"`; this answers its
 * banner with "Accept" before any page loads (shop.js then grants consent),
 * as a returning shopper who agreed. Tests of the banner itself skip it.
 */
export async function agreeToConsent(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    try {
      localStorage.setItem('folio-consent', 'granted');
    } catch {}
  });
}

/** Opens a product page of the demo at `base` and waits until its view is recorded. */
export async function viewProduct(page: Page, base: string, id: string): Promise<void> {
  await page.goto(new URL(`product.html?id=${encodeURIComponent(id)}`, base).href);
  await sdkReady(page);
  await expect
    .poll(
      async () => (await instanceEvents(page)).some((e) => e.type === 'view' && e.itemId === id),
      { ...POLL, message: `view of ${id} recorded` },
    )
    .toBe(true);
}

/** The demo shop and a browser shared by one test file (see {@link useDemoShop}). */
export interface DemoShop {
  browser: Browser;
  demo: DemoServer;
  catalog: Book[];
  /** An absolute URL on the demo's origin. */
  url(path: string): string;
}

/**
 * Starts the demo server and Chromium before the file's tests and stops them
 * after; the returned object is filled in by then.
 */
export function useDemoShop(): DemoShop {
  const shop = {
    url: (path: string) => new URL(path, shop.demo.url).href,
  } as DemoShop;
  beforeAll(async () => {
    shop.demo = await startDemo();
    shop.browser = await launchBrowser();
    shop.catalog = (await (await fetch(shop.url('catalog.json'))).json()) as Book[];
  });
  afterAll(async () => {
    await shop.browser?.close();
    await shop.demo?.close();
  });
  return shop;
}

/** Serves `body` as an HTML page at `path` of the demo's origin, in `context` only. */
export async function servePage(
  context: BrowserContext,
  path: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<void> {
  await context.route(
    (u) => u.pathname === path,
    (route) =>
      route.fulfill({
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8', ...headers },
        body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>likewise test</title></head><body>${body}</body></html>`,
      }),
  );
}

/**
 * Fills the origin's remaining quota from the page with a database of the
 * host's own (`host-app-cache`), as an app cache would: 16 KB pieces until
 * one fails, then smaller ones down to 64 bytes, so no room is left even for
 * one small event (Chromium's check is coarse: with only 16 KB pieces a small
 * write still got through now and then). Random bytes, so compression cannot
 * make room. Runs in the page; resolves with the last write's error name
 * (`QuotaExceededError` once full) and the pieces written.
 */
export async function fillOrigin(): Promise<{ chunks: number; error: string }> {
  const db = await new Promise<IDBDatabase>((ok, fail) => {
    const r = indexedDB.open('host-app-cache');
    r.onupgradeneeded = () => r.result.createObjectStore('blobs');
    r.onsuccess = () => ok(r.result);
    r.onerror = () => fail(r.error);
  });
  let chunks = 0;
  let error = '';
  for (const size of [16 * 1024, 1024, 64]) {
    error = '';
    for (let n = 0; n < 400 && !error; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(size));
      error = await new Promise<string>((ok) => {
        const tx = db.transaction('blobs', 'readwrite');
        tx.objectStore('blobs').put(bytes, chunks);
        tx.oncomplete = () => ok('');
        tx.onabort = () => ok(tx.error?.name ?? 'AbortError');
      });
      if (!error) chunks++;
    }
    if (error !== 'QuotaExceededError') break;
  }
  db.close();
  return { chunks, error };
}

/**
 * Records, in the page, the body (or URL) of everything it sends with
 * `fetch` or `sendBeacon` from now on, in `window.__sent`. In the page
 * because Playwright's request events can arrive late on a loaded machine
 * (a batch sent just before a withdrawal was once counted after it).
 */
export function recordSends(): void {
  const w = window as Window & { __sent?: string[] };
  const sent: string[] = [];
  w.__sent = sent;
  const fetch = w.fetch.bind(w);
  w.fetch = (input, init) => {
    sent.push(typeof init?.body === 'string' ? init.body : String(input));
    return fetch(input, init);
  };
  const beacon = navigator.sendBeacon.bind(navigator);
  navigator.sendBeacon = (url, data) => {
    sent.push(typeof data === 'string' ? data : String(url));
    return beacon(url, data);
  };
}
