// Smoke tests against the built output (npm test builds first): what a shop
// actually loads, not the sources.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
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

  it('the bundled .d.ts type-checks a consumer file', () => {
    const tsc = resolve(__dirname, '../../node_modules/typescript/bin/tsc');
    const out = execFileSync(
      process.execPath,
      [tsc, '-p', resolve(__dirname, 'consumer/tsconfig.json')],
      { encoding: 'utf8' },
    );
    expect(out).toBe('');
  });

  it('the bundles contain no eval, Function constructor or HTML sinks (RELIABILITY 21)', () => {
    const forbidden =
      /\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|document\.write|setAttribute\(["']style/;
    for (const f of ['likewise.mjs', 'likewise.cjs', 'likewise.iife.js', 'likewise.worker.js']) {
      const path = resolve(dist, f);
      if (!existsSync(path)) continue;
      const hit = readFileSync(path, 'utf8').match(forbidden);
      expect(hit?.[0], `${f} contains a forbidden sink`).toBeUndefined();
    }
  });
});
