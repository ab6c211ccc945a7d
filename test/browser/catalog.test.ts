// A generated shop of 20,000 items (bench/generateBigShop.mjs, smaller than
// the bench's 100,000 for test speed) whose model carries its catalogue:
// the tag has only data-site and data-model, and a product page fetches the
// catalogue shards of the items it shows, never the whole catalogue.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { generateBigShop } from '../../bench/generateBigShop.mjs';
// @ts-expect-error: plain ESM script without types
import { startShopServer } from '../../bench/serveBigShop.mjs';
import { catalogShardFile, type ManifestCatalog } from '../../src/model/catalogFormat';
import { createModelLoader } from '../../src/model/createModelLoader';
import { shardFile } from '../../src/model/modelFormat';
import { shardOf } from '../../src/model/shardOf';
import { describeProblems, launchBrowser, watchProblems } from './harness';

interface Logged {
  path: string;
  start: number;
}
let browser: Browser;
let server: { url: string; log: Logged[]; mark(): void; close(): Promise<void> };
let dir: string;
let catalog: { id: string; title: string }[];

beforeAll(async () => {
  ({ dir } = await generateBigShop({
    items: 20_000,
    events: 200_000,
    out: resolve('.bench/bigshop-test-20000'),
  }));
  catalog = JSON.parse(await readFile(join(dir, 'catalog.json'), 'utf8'));
  server = await startShopServer(dir, catalog, resolve('dist'));
  browser = await launchBrowser();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** The model's files, read from disk, for the test's own look at the model. */
const files = (async (url: string | URL) =>
  new Response(
    await readFile(join(dir, 'model', new URL(String(url)).pathname.replace(/^\/m\//, ''))),
  )) as unknown as typeof fetch;

describe('catalogue shards beside the model', () => {
  it('a product page with data-site and data-model only fetches the shards of the items it shows', async () => {
    const manifest = JSON.parse(await readFile(join(dir, 'model', 'manifest.json'), 'utf8'));
    const section = manifest.catalog as ManifestCatalog;
    const model = createModelLoader('https://x.test/m/manifest.json', {}, { fetch: files });
    const popular = (await model.popularity()).ids;
    const itemId = popular[10];
    // What the page may ask entries for: its item, its neighbours, trending.
    const similar = (await model.neighbours([itemId])).neighbours(itemId)?.ids ?? [];
    expect(similar.length).toBeGreaterThan(8);
    const allowed = new Set(
      [itemId, ...similar, ...popular.slice(0, 50)].map(
        (id) => `/shop/model/${catalogShardFile(section, id)}`,
      ),
    );

    const context = await browser.newContext();
    const problems = await watchProblems(context);
    const page = await context.newPage();
    server.mark();
    await page.goto(`${server.url}/product.html?id=${itemId}`);
    const links = page.locator('[data-likewise="similar"] [data-likewise-item] a[href]');
    await expect.poll(() => links.count(), { timeout: 20_000, interval: 100 }).toBeGreaterThan(0);
    const shown = (
      await links.evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).href))
    ).map((href) => new URL(href).searchParams.get('id') as string);
    const titles = await page
      .locator('[data-likewise="similar"] [data-likewise-item]')
      .allTextContents();
    await context.close();

    // One manifest request serves the model and the catalogue.
    expect(server.log.filter((r) => r.path.endsWith('/manifest.json'))).toHaveLength(1);
    // Popularity and the item's model shard come with the HTML (the page's
    // preloads, from modelPreloads), not after the script: one request each.
    const script = server.log.find((r) => r.path === '/dist/likewise.iife.js')!;
    const modelFiles = server.log.filter((r) => /\/popularity-|\/model-[0-9a-f]{8}\//.test(r.path));
    expect(modelFiles.map((r) => r.path).sort()).toEqual(
      [
        `/shop/model/${manifest.popularity.file}`,
        `/shop/model/${shardFile(manifest, shardOf(itemId, manifest.shards))}`,
      ].sort(),
    );
    for (const r of modelFiles) expect(r.start, r.path).toBeLessThanOrEqual(script.start);
    const fetched = server.log.map((r) => r.path).filter((p) => p.includes('/catalog-'));
    expect(server.log.some((r) => r.path.endsWith('/catalog.json'))).toBe(false);
    // The catalogue shards the widget needs are exactly those the page
    // preloads (modelPreloads with the model), each requested once: the SDK
    // took the preloaded answers, and started no download of its own.
    const html = server.log.find((r) => r.path === '/product.html') as Logged & { body: Buffer };
    const preloaded = [...html.body.toString().matchAll(/rel="preload" href="([^"]+)"/g)]
      .map((m) => m[1])
      .filter((p) => p.includes('/catalog-'));
    expect(preloaded.length).toBeGreaterThanOrEqual(shown.length);
    expect([...fetched].sort()).toEqual(preloaded.sort());
    // Each shown item's shard was fetched, once; nothing else but shards of candidates.
    for (const id of shown)
      expect(fetched).toContain(`/shop/model/${catalogShardFile(section, id)}`);
    expect(new Set(fetched).size).toBe(fetched.length);
    for (const path of fetched) expect(allowed.has(path), path).toBe(true);
    expect(fetched.length).toBeLessThanOrEqual(shown.length + 5);
    // The entries came from the shards: shown with the catalogue's titles.
    const byId = new Map(catalog.map((e) => [e.id, e.title]));
    for (const [i, id] of shown.entries()) expect(titles[i]).toContain(byId.get(id));
    expect(problems.errors(), describeProblems(problems.errors())).toEqual([]);
    expect(problems.rejections(), describeProblems(problems.rejections())).toEqual([]);
  }, 60_000);
});
