// @vitest-environment node
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../../src/cli/catalog';
import { run as train } from '../../src/cli/train';
import { createCatalog } from '../../src/model/createCatalog';
import { decodeCatalogShard } from '../../src/model/decodeCatalog';
import { recordingIo } from '../support/recordingIo';

let dir: string;

const entry = (i: number, price = 10) => ({
  id: `item-${i}`,
  title: `Item ${i}`,
  url: `/p/item-${i}`,
  image: `https://cdn.test/img/item-${i}.jpg`,
  price,
  currency: 'EUR',
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'likewise-catalog-'));
  const lines = ['user,item,timestamp,type'];
  let t = 1_700_000_000;
  for (let u = 0; u < 100; u++)
    lines.push(`u${u},item-${u % 20},${t++},view`, `u${u},item-${(u + 1) % 20},${t++},view`);
  await writeFile(join(dir, 'events.csv'), `${lines.join('\n')}\n`);
  await writeFile(
    join(dir, 'catalog.json'),
    JSON.stringify([...Array.from({ length: 300 }, (_, i) => entry(i)), { id: 'bad' }]),
  );
  await writeFile(
    join(dir, 'cheaper.ndjson'),
    Array.from({ length: 300 }, (_, i) => JSON.stringify(entry(i, 5))).join('\n'),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const io = () => recordingIo(dir);

/** Every file of a folder (one level of subfolders) with its bytes and modification time. */
async function snapshot(folder: string) {
  const out = new Map<string, [string, number]>();
  for (const name of await readdir(folder)) {
    const s = await stat(join(folder, name));
    if (s.isFile())
      out.set(name, [(await readFile(join(folder, name))).toString('base64'), s.mtimeMs]);
  }
  return out;
}

/** fetch over the files of `dir`, for the SDK's catalogue. */
const files = (async (url: string | URL) => {
  try {
    return new Response(await readFile(join(dir, new URL(String(url)).pathname)));
  } catch {
    return new Response('', { status: 404 });
  }
}) as unknown as typeof fetch;

describe('likewise catalog', () => {
  it('writes shards beside the model and rewrites only the manifest', async () => {
    expect(await train(['--events', 'events.csv', '--out', 'model'], io())).toBe(0);
    const model = join(dir, 'model');
    const before = await snapshot(model);
    const manifestBefore = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8'));

    const first = io();
    expect(
      await run(['--catalog', 'catalog.json', '--out', 'model', '--per-shard', '16'], first),
    ).toBe(0);
    expect(first.err).toEqual([]);
    const manifest = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8'));
    expect(manifest).toEqual({ ...manifestBefore, catalog: expect.any(Object) });
    const { catalog } = manifest;
    expect(catalog).toMatchObject({ format: 'likewise-catalog', items: 300, shards: 19 });
    expect(first.out.join('')).toContain('300 entries (1 dropped) in 19 shards');
    // Model files: the same bytes, never rewritten.
    const after = await snapshot(model);
    for (const [name, value] of before)
      if (name !== 'manifest.json') expect(after.get(name), name).toEqual(value);
    const shardFiles = await readdir(join(model, catalog.dir));
    expect(shardFiles.sort()).toEqual(Array.from({ length: 19 }, (_, s) => `${s}.json`).sort());
    const bytes = await readFile(join(model, catalog.dir, '0.json'));
    expect(decodeCatalogShard(bytes, catalog, 0, '0.json').length).toBeGreaterThan(0);

    // What a page then gets, by id, through the SDK's catalogue.
    const sdk = createCatalog(undefined, () => {}, {
      fetch: files,
      base: 'https://shop.test/',
      model: 'https://shop.test/model/manifest.json',
    });
    const items = await sdk.entries(['item-7']);
    expect(items.get('item-7')).toEqual({
      ...entry(7),
      url: 'https://shop.test/p/item-7',
    });

    // A new catalogue (prices changed): new folder, the previous one kept for
    // pages that loaded the previous manifest, older ones removed.
    expect(await run(['--catalog', 'cheaper.ndjson', '--out', 'model'], io())).toBe(0);
    const second = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8')).catalog;
    expect(second.id).not.toBe(catalog.id);
    expect(await run(['--catalog', 'catalog.json', '--out', 'model'], io())).toBe(0);
    const third = JSON.parse(await readFile(join(model, 'manifest.json'), 'utf8')).catalog;
    const dirs = (await readdir(model)).filter((n) => n.startsWith('catalog-')).sort();
    expect(dirs).toEqual([second.dir, third.dir].map((d: string) => d.slice(0, -1)).sort());
    const final = await snapshot(model);
    for (const [name, value] of before)
      if (name !== 'manifest.json') expect(final.get(name), name).toEqual(value);
  });

  it('refuses a folder without a likewise model, an unreadable catalogue and bad options', async () => {
    const cases: [string[], number, string][] = [
      [
        ['--catalog', 'catalog.json', '--out', 'nowhere'],
        1,
        'likewise catalog: cannot use nowhere: no model in',
      ],
      [
        ['--catalog', 'events.csv', '--out', 'model'],
        1,
        'likewise catalog: cannot read events.csv: not a JSON array of entries nor NDJSON',
      ],
      [['--out', 'model'], 2, 'likewise catalog: --catalog FILE is required'],
      [
        ['--catalog', 'catalog.json', '--per-shard', '0'],
        2,
        'likewise catalog: --per-shard must be an integer from 1 to 100000, got 0',
      ],
      [
        ['--catalog', 'catalog.json', '--shards', '3'],
        2,
        'likewise catalog: unknown option --shards',
      ],
    ];
    for (const [argv, code, message] of cases) {
      const out = io();
      expect(await run(argv, out), argv.join(' ')).toBe(code);
      expect(out.err.join(''), argv.join(' ')).toContain(message);
    }
  });

  it('train --catalog writes the model with its catalogue; a later train without it keeps the catalogue', async () => {
    const out = io();
    expect(
      await train(['--events', 'events.csv', '--out', 'shop', '--catalog', 'catalog.json'], out),
    ).toBe(0);
    expect(out.out.join('')).toContain('catalog: 300 entries (1 dropped)');
    const shop = join(dir, 'shop');
    const first = JSON.parse(await readFile(join(shop, 'manifest.json'), 'utf8'));
    expect(first.catalog).toMatchObject({ items: 300, shards: 10 });
    expect((await readdir(join(shop, first.catalog.dir))).length).toBe(10);
    expect(await train(['--events', 'events.csv', '--out', 'shop'], io())).toBe(0);
    const second = JSON.parse(await readFile(join(shop, 'manifest.json'), 'utf8'));
    expect(second.catalog).toEqual(first.catalog);
    const bad = io();
    expect(
      await train(['--events', 'events.csv', '--out', 'shop', '--catalog', 'nope.json'], bad),
    ).toBe(1);
    expect(bad.err.join('')).toContain('likewise train: cannot read nope.json:');
  });
});
