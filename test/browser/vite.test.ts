// The npm build as a Vite storefront ships it (src/importPart.ts): a page
// built by Vite in its default configuration loads likewise's widget part
// as a chunk of its own and renders a widget, with no module-preload helper
// (test/build/vite.test.ts checks the bytes in more Vite settings).
import { readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { buildWithVite, storefrontPage } from '../../scripts/sizes.mjs';
import { expectClean, servePage, useDemoShop, VIEWPORT, watchProblems, widgetIds } from './harness';

const shop = useDemoShop();

describe('a Vite storefront', () => {
  it('loads the widget part as a chunk and renders a similar widget', async () => {
    const item = shop.catalog[0].id;
    const page = storefrontPage({ consent: 'granted' }, true, item);
    const { out, manifest, remove } = await buildWithVite(
      resolve(__dirname, '../..'),
      { page },
      {},
      { base: '/vite/' },
    );
    const context = await shop.browser.newContext({ viewport: VIEWPORT });
    try {
      const problems = await watchProblems(context);
      await context.route(
        (u) => u.pathname.startsWith('/vite/'),
        (route) =>
          route.fulfill({
            contentType: 'text/javascript',
            body: readFileSync(join(out, new URL(route.request().url()).pathname.slice(6))),
          }),
      );
      const entry = Object.values(manifest as Record<string, { file: string; isEntry?: boolean }>)
        .filter((c) => c.isEntry)
        .map((c) => c.file);
      expect(entry.map(extname)).toEqual(['.js']);
      await servePage(
        context,
        '/vite.html',
        `<div id="recs"></div><script type="module" src="/vite/${entry[0]}"></script>`,
      );
      const tab = await context.newPage();
      await tab.goto(shop.url('vite.html'));
      expect((await widgetIds(tab, '#recs')).length).toBeGreaterThan(0);
      const loaded = await tab.evaluate(() =>
        performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname),
      );
      expect(loaded.join()).toMatch(/\/vite\/assets\/widgetParts-[\w-]{8}\.js/);
      // Nothing preloaded by Vite's helper (it adds these links to <head>).
      expect(await tab.locator('link[rel=modulepreload]').count()).toBe(0);
      expectClean(problems);
    } finally {
      await context.close();
      remove();
    }
  });
});
