// @vitest-environment happy-dom
// Smoke tests against the built output (npm test builds first): what a shop
// actually loads, not the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runInThisContext } from 'node:vm';
import { beforeAll, describe, expect, it } from 'vitest';

const dist = resolve(__dirname, '../../dist');
const bundles = ['likewise.mjs', 'likewise.cjs', 'likewise.d.ts', 'likewise.iife.js'];

beforeAll(() => {
  const missing = bundles.filter((f) => !existsSync(resolve(dist, f)));
  if (missing.length) throw new Error(`missing ${missing.join(', ')}: run \`npm run build\` first`);
});

describe('built bundles', () => {
  it('the ESM build imports in Node and exports the public API', async () => {
    const mod = await import(pathToFileURL(resolve(dist, 'likewise.mjs')).href);
    expect(typeof mod.createLikewise).toBe('function');
    expect(typeof mod.LikewiseError).toBe('function');
    expect(mod.default).toBeUndefined();
  });

  it('the ESM build recommends from on-device events', async () => {
    const mod = await import(pathToFileURL(resolve(dist, 'likewise.mjs')).href);
    const events = ['a', 'b', 'a', 'c'].map((itemId, i) => ({
      id: `e${i}`,
      type: 'view',
      ts: i + 1,
      session: i < 2 ? 's1' : 's2',
      itemId,
    }));
    const recs = mod.similar(mod.localNeighbourSource(events), 'a', { limit: 5 });
    expect(recs.map((r: { id: string }) => r.id).sort()).toEqual(['b', 'c']);
  });

  it('the CLI reports widgets from a collected log', () => {
    const dir = mkdtempSync(join(tmpdir(), 'likewise-cli-'));
    const log = join(dir, 'events.ndjson');
    const base = { session: 's1', visitor: 'v1', itemId: 'sku-1', rec: 'r1', scenario: 'similar' };
    writeFileSync(
      log,
      [
        { ...base, id: 'e1', type: 'impression', ts: 1, pos: 0, widget: 'pdp' },
        { ...base, id: 'e2', type: 'click', ts: 2, pos: 0, widget: 'pdp' },
      ]
        .map((e) => JSON.stringify(e))
        .join('\n'),
    );
    const out = JSON.parse(
      execFileSync(
        process.execPath,
        [resolve(dist, 'cli.mjs'), 'report', '--events', log, '--json'],
        {
          encoding: 'utf8',
        },
      ),
    );
    rmSync(dir, { recursive: true });
    expect(out.report.widgets).toMatchObject([
      { widget: 'pdp', scenario: 'similar', impressions: 1, clicks: 1, ctr: 1 },
    ]);
  });

  it('the Node API (likewise/node) recommends from the model files the CLI trained', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'likewise-node-'));
    const rows = ['user,item,timestamp,type'];
    for (let u = 0; u < 30; u++)
      for (const [x, item] of ['a', 'b', u % 2 ? 'c' : 'd'].entries())
        rows.push(`u${u},${item},${1_700_000_000 + 60 * x},view`);
    writeFileSync(join(dir, 'events.csv'), `${rows.join('\n')}\n`);
    execFileSync(process.execPath, [
      resolve(dist, 'cli.mjs'),
      'train',
      '--events',
      join(dir, 'events.csv'),
      '--out',
      join(dir, 'model'),
    ]);
    const pkg = JSON.parse(readFileSync(resolve(dist, '../package.json'), 'utf8'));
    expect(pkg.exports['./node'].import.default).toBe('./dist/node.mjs');
    const node = await import(pathToFileURL(resolve(dist, 'node.mjs')).href);
    const model = await node.openModel(join(dir, 'model'));
    rmSync(dir, { recursive: true });
    const recs = model.recommend({ type: 'similar', itemId: 'a', limit: 3 });
    expect(recs.map((r: { id: string }) => r.id)).toEqual(['b', 'c', 'd']);
  });

  it('the CJS build requires in Node with the same exports as the ESM build', async () => {
    const cjs = createRequire(import.meta.url)(resolve(dist, 'likewise.cjs'));
    const esm = await import(pathToFileURL(resolve(dist, 'likewise.mjs')).href);
    expect(Object.keys(cjs).sort()).toEqual(Object.keys(esm).sort());
  });

  it('the IIFE exposes window.Likewise and starts nothing without data-site', () => {
    const w = window as unknown as { Likewise?: Record<string, unknown> };
    delete w.Likewise;
    runInThisContext(readFileSync(resolve(dist, 'likewise.iife.js'), 'utf8'));
    const ns = w.Likewise as Record<string, unknown> | undefined;
    expect(typeof ns?.createLikewise).toBe('function');
    expect(ns?.instance).toBeUndefined();
  });

  it("the script tag's parts use the core's LikewiseError (one class on the page), not a copy", () => {
    for (const part of ['widgets', 'measure', 'extras']) {
      const code = readFileSync(resolve(dist, `likewise.${part}.mjs`), 'utf8');
      expect(code, part).toContain('globalThis.Likewise');
      expect(code, part).not.toMatch(/["']LikewiseError["']/);
    }
    // The core defines it.
    expect(readFileSync(resolve(dist, 'likewise.iife.js'), 'utf8')).toMatch(
      /["']LikewiseError["']/,
    );
  });

  it('the core lends every helper its parts take from it, and the parts carry no copy', async () => {
    const { FROM_CORE } = await import(
      pathToFileURL(resolve(__dirname, '../../rollup.config.mjs')).href
    );
    const w = window as unknown as { Likewise?: Record<string, unknown> };
    // The built core, as a page runs it (once per realm: it declares `var Likewise`).
    if (!w.Likewise) runInThisContext(readFileSync(resolve(dist, 'likewise.iife.js'), 'utf8'));
    for (const [file, [from, names]] of Object.entries(
      FROM_CORE as Record<string, [string, string[]]>,
    )) {
      const lent = (from ? w.Likewise?.[from.slice(1)] : w.Likewise) as Record<string, unknown>;
      for (const name of names) expect(typeof lent?.[name], `${file}: ${name}`).toBe('function');
    }
    // safeUrl's and nextTask's own code, which the widget file had a copy of.
    const widgets = readFileSync(resolve(dist, 'likewise.widgets.mjs'), 'utf8');
    expect(widgets).not.toContain('MessageChannel');
    expect(widgets).not.toMatch(/["']https:["']/);
  });

  it("the script tag's files ship their source maps beside them without naming them (bytes every shopper would load)", async () => {
    const { PARTS } = await import(
      pathToFileURL(resolve(__dirname, '../../rollup.config.mjs')).href
    );
    const files = ['iife.js', ...Object.keys(PARTS).map((p) => `${p}.mjs`)];
    for (const f of files.map((f) => resolve(dist, `likewise.${f}`))) {
      expect(readFileSync(f, 'utf8'), f).not.toContain('sourceMappingURL');
      expect(JSON.parse(readFileSync(`${f}.map`, 'utf8')).sources.length, f).toBeGreaterThan(0);
    }
  });

  it("the script tag's core and parts shorten the internal property names alike; none is API", async () => {
    // @ts-expect-error: plain ESM script without types
    const { TAG_PROPS } = await import('../../rollup.config.mjs');
    const tag = readdirSync(dist).filter((f) => /^likewise\.(iife\.js|(?!texts)\w+\.mjs)$/.test(f));
    expect(tag).toEqual(expect.arrayContaining(['likewise.iife.js', 'likewise.widgets.mjs']));
    const types = readFileSync(resolve(dist, 'likewise.d.ts'), 'utf8');
    // Without the source-map comment, which names the file (`likewise.extras.mjs.map`).
    const code = (f: string) =>
      readFileSync(resolve(dist, f), 'utf8').replace(/\/\/# sourceMappingURL=.*/, '');
    const named = (name: string) => new RegExp(`\\.${name}\\b|[{,]${name}:`);
    for (const name of TAG_PROPS as string[]) {
      for (const f of tag) expect(code(f), `${f}: ${name}`).not.toMatch(named(name));
      // Declared in the published types, a name would be API that the tag renames.
      expect(types, name).not.toMatch(new RegExp(`^\\s*(readonly\\s+)?${name}\\??[:(]`, 'm'));
    }
    // The npm build keeps the names (the check above can fail).
    expect(readFileSync(resolve(dist, 'esm/createCore.mjs'), 'utf8')).toMatch(named('onForget'));
  });

  /** Every script the package ships (dist/**, source maps aside); the named ones must exist. */
  const shipped = (): string[] => {
    const required = [
      'likewise.mjs',
      'likewise.cjs',
      'likewise.iife.js',
      'likewise.extras.mjs',
      'cli.mjs',
    ];
    const all = readdirSync(dist, { recursive: true, encoding: 'utf8' }).filter((f) =>
      /\.(m|c)?js$/.test(f),
    );
    for (const f of required) expect(all, `dist/${f} is missing`).toContain(f);
    expect(
      all.filter((f) => f.startsWith('chunks')),
      'dist/chunks/* is missing',
    ).not.toEqual([]);
    return all;
  };

  it('no shipped file contains eval, the Function constructor or an HTML sink (RELIABILITY 21)', () => {
    const forbidden =
      /\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write|setAttribute\(["']style/;
    const files = shipped();
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const f of files) {
      const hit = readFileSync(resolve(dist, f), 'utf8').match(forbidden);
      expect(hit?.[0], `${f} contains a forbidden sink`).toBeUndefined();
    }
  });

  it('no browser file names a fingerprinting surface (RELIABILITY 24, static)', () => {
    const surface =
      /\b(plugins|mimeTypes|hardwareConcurrency|deviceMemory|devicePixelRatio|getContext|toDataURL|toBlob|AudioContext|OfflineAudioContext|webkitAudioContext|colorDepth|pixelDepth|availWidth|availHeight|getBattery|enumerateDevices)\b|\bscreen\.(width|height|orientation)/;
    // The CLI runs in Node, not in a shopper's browser.
    for (const f of shipped().filter((f) => f !== 'cli.mjs')) {
      const hit = readFileSync(resolve(dist, f), 'utf8').match(surface);
      expect(hit?.[0], `${f} reads a fingerprinting surface`).toBeUndefined();
    }
  });
});
