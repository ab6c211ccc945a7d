// What each kind of page pays in likewise JavaScript (package.json
// "sizeBudgets", bytes gzip) is part of the test suite: a page kind that
// grows past its budget fails `npm test`. `node scripts/sizes.mjs` prints
// the files behind each figure.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, normalize, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM script without types
import { PAGE_KINDS, scriptTagSizes, viteSizes } from '../../scripts/sizes.mjs';

type Row = {
  kind: string;
  gzip: number;
  budget: number;
  files: { file: string }[];
  unknown?: string[];
};
const root = resolve(__dirname, '../..');

/** The npm build's modules (dist/esm) that `entry` reaches by static imports, itself included. */
function staticReach(entry: string): Set<string> {
  const esm = resolve(root, 'dist/esm');
  const seen = new Set<string>();
  const todo = [entry];
  while (todo.length) {
    const file = todo.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const code = readFileSync(join(esm, file), 'utf8');
    for (const m of code.matchAll(
      /(?:import|export)\s*(?:[^'"`;()]*?from\s*)?["']([^"']+\.mjs)["']/g,
    )) {
      const next = normalize(join(dirname(file), m[1]));
      if (existsSync(join(esm, next))) todo.push(next);
    }
  }
  return seen;
}

describe('JavaScript per page kind, within budget', () => {
  const tag = scriptTagSizes(root) as Row[];
  it.each(tag.map((r) => [r.kind, r] as const))('script tag: %s', (_, r) => {
    expect(r.budget).toBeGreaterThan(0);
    expect(r.gzip).toBeLessThanOrEqual(r.budget);
  });

  it('a page without widgets loads the core alone', () => {
    expect(tag[0].files.map((f) => f.file)).toEqual(['dist/likewise.iife.js']);
  });

  it('the widget file every widget page counts holds the widget, markup and learning parts', () => {
    for (const row of tag.slice(1, PAGE_KINDS.length))
      expect(row.files.map((f) => f.file)).toContain('dist/likewise.widgets.mjs');
    const code = readFileSync(resolve(root, 'dist/likewise.widgets.mjs'), 'utf8');
    for (const name of ['startWidgets', 'observeWidgets', 'trainLocally'])
      expect(code, name).toMatch(new RegExp(`as ${name}\\b|\\b${name}[,}]`));
  });

  it('likewise.full.js counts for each widget page kind instead of the core and the widget file', () => {
    const full = tag.slice(PAGE_KINDS.length);
    expect(full.map((r) => r.kind)).toEqual(
      tag.slice(1, PAGE_KINDS.length).map((r) => `${r.kind}, likewise.full.js`),
    );
    for (const row of full) {
      const files = row.files.map((f) => f.file);
      expect(files[0]).toBe('dist/likewise.full.js');
      expect(files).not.toContain('dist/likewise.iife.js');
      expect(files).not.toContain('dist/likewise.widgets.mjs');
    }
    // It holds the widget file's code (the renderer's list attribute), and
    // neither the widget file's name nor `import.meta` (an IIFE has none):
    // test/browser/sdk.test.ts has it load German texts from beside itself.
    const code = readFileSync(resolve(root, 'dist/likewise.full.js'), 'utf8');
    expect(code).toContain('data-likewise-rec');
    expect(code).not.toContain('likewise.widgets');
    expect(code).not.toContain('import.meta');
  });

  it('the files the script tag loads are exported by the package', () => {
    // The package resolves itself by name through its own "exports".
    const require = createRequire(resolve(root, 'package.json'));
    for (const file of [
      'likewise.iife.js',
      'likewise.full.js',
      'likewise.widgets.mjs',
      'likewise.erase.mjs',
    ])
      expect(require.resolve(`likewise/dist/${file}`)).toBe(resolve(root, 'dist', file));
  });

  it('npm build: the measurement and widget parts share no module outside the core', () => {
    // A module two parts import becomes a chunk of its own in a shop's
    // bundler: a request and 60-140 B more on every page with widgets (the
    // byte hash of the model files and the UTF-16 hash of the experiment's
    // groups were one module: a 177 B chunk). The error class is the core's.
    const core = new Set(
      ['createLikewise.mjs', 'importPart.mjs', 'observeLater.mjs'].flatMap((f) => [
        ...staticReach(f),
      ]),
    );
    const widgets = staticReach('widgetParts.mjs');
    const shared = [...staticReach('metrics/startMetrics.mjs')].filter(
      (f) => widgets.has(f) && !core.has(f),
    );
    expect(core.has('errors.mjs')).toBe(true);
    expect(shared).toEqual([]);
  });

  it('npm build in Vite: each page kind within budget, no extras on a widget page', async () => {
    const rows = (await viteSizes(root)) as Row[];
    expect(rows.map((r) => r.kind)).toEqual(PAGE_KINDS.map((k: { kind: string }) => k.kind));
    for (const r of rows) {
      expect(r.budget, r.kind).toBeGreaterThan(0);
      expect(r.gzip, r.kind).toBeLessThanOrEqual(r.budget);
      expect(r.files.map((f) => f.file).join(), r.kind).not.toContain('(extras)');
      expect(r.unknown, r.kind).toEqual([]);
    }
    // The widget chunk holds the catalogue's loading part and learning (src/widgetParts.ts).
    for (const r of rows.slice(1))
      expect(r.files.map((f) => f.file).join(), r.kind).toContain('(widgets)');
  }, 120_000);
});
