// The npm build in a Vite storefront (src/importPart.ts): Vite bundles,
// hashes and splits off likewise's parts as chunks of their own, and adds
// no module-preload helper, in the settings a shop may have. Vite's helper
// is recognised by what it does: `vite:preloadError` events and
// `<link rel=modulepreload>` (its `relList.supports('modulepreload')` check).
// Real loading in Chromium: test/browser/vite.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { buildWithVite, storefrontPage } from '../../scripts/sizes.mjs';

const root = resolve(__dirname, '../..');
type Chunk = { file: string; name?: string; isEntry?: boolean; dynamicImports?: string[] };
type Built = { out: string; manifest: Record<string, Chunk>; remove(): void };

const SETTINGS: [string, object][] = [
  ['defaults, unminified', { minify: false }],
  ['modulePreload false', { modulePreload: false }],
  ['modulePreload without polyfill', { modulePreload: { polyfill: false } }],
  ['relative base', { modulePreload: true, minify: false }],
];

describe('the npm build in Vite', () => {
  it.each(SETTINGS)(
    '%s: the parts are hashed chunks of their own, with no preload helper',
    async (name, build) => {
      const pages = {
        widgets: storefrontPage({}, true),
        german: storefrontPage({ locale: 'de-DE' }, true),
      };
      const base = name === 'relative base' ? { base: './' } : {};
      const { out, manifest, remove } = (await buildWithVite(root, pages, build, base)) as Built;
      try {
        const chunks = Object.entries(manifest);
        const part = (re: RegExp) => chunks.find(([key]) => re.test(key))?.[1];
        const widgets = part(/esm\/widgetParts\.mjs$/);
        const german = part(/esm\/widgets\/texts\/de\.mjs$/);
        expect(widgets?.file).toMatch(/^assets\/widgetParts-[\w-]{8}\.js$/);
        expect(german?.file).toMatch(/^assets\/de-[\w-]{8}\.js$/);
        // Loaded on demand: the core chunk imports each with import().
        const dynamic = chunks
          .flatMap(([, c]) => c.dynamicImports ?? [])
          .map((k) => manifest[k].file);
        expect(dynamic).toContain(widgets?.file);
        expect(dynamic).toContain(german?.file);
        const files = readdirSync(join(out, 'assets'));
        expect(files.length).toBeGreaterThan(3);
        for (const file of files) {
          const code = readFileSync(join(out, 'assets', file), 'utf8');
          expect(code, file).not.toContain('vite:preloadError');
          expect(code, file).not.toContain('modulepreload');
          if ('modulePreload' in build && build.modulePreload === false)
            expect(code, file).not.toContain('__vite__mapDeps');
        }
      } finally {
        remove();
      }
    },
    60_000,
  );

  it('control: a page with an import() of its own gets the helper, and these checks see it', async () => {
    const page = `${storefrontPage({}, false)}\nimport('likewise').then((m) => m.createLikewise);`;
    const { out, remove } = (await buildWithVite(root, { page }, { minify: false })) as Built;
    try {
      const code = readdirSync(join(out, 'assets'))
        .map((f) => readFileSync(join(out, 'assets', f), 'utf8'))
        .join();
      expect(code).toContain('vite:preloadError');
      expect(code).toContain('modulepreload');
    } finally {
      remove();
    }
  }, 60_000);
});
