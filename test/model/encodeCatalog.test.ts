import { describe, expect, it } from 'vitest';
import {
  CATALOG_FORMAT,
  catalogShardFile,
  decodeCatalogShard,
  encodeCatalog,
  validateCatalogSection,
} from '../../src/model/encodeCatalog';
import { shardOf } from '../../src/model/shardOf';

const entry = (i: number, extra: Record<string, unknown> = {}) => ({
  id: `sku-${i}`,
  title: `Item ${i}`,
  url: `https://shop.test/p/sku-${i}`,
  image: `https://cdn.shop.test/img/sku-${i}.jpg`,
  price: 10 + i / 4,
  currency: 'EUR',
  category: i % 2 ? 'Books' : 'Games',
  ...extra,
});

const indexOf = (name: string) => Number(/\/(\d+)\.json$/.exec(name)![1]);

/** Every entry decoded back, by id. */
function decodeAll(encoded: ReturnType<typeof encodeCatalog>) {
  const out = new Map<string, Record<string, unknown>>();
  for (const f of encoded.files)
    for (const e of decodeCatalogShard(f.bytes, encoded.section, indexOf(f.name), f.name))
      out.set(e.id as string, e);
  return out;
}

describe('encodeCatalog', () => {
  it('round-trips every entry, each in the shard its id hashes to', () => {
    const entries = Array.from({ length: 200 }, (_, i) =>
      entry(i, i === 7 ? { inStock: false, brand: 'Acme' } : {}),
    );
    const encoded = encodeCatalog(entries, { entriesPerShard: 16 });
    const { section } = encoded;
    expect(section).toMatchObject({
      format: CATALOG_FORMAT,
      version: 1,
      shards: 13,
      hash: 'fnv1a',
      items: 200,
      dir: `catalog-${section.id}/`,
    });
    expect(encoded.files.map((f) => f.name)).toEqual(
      Array.from({ length: 13 }, (_, s) => `catalog-${section.id}/${s}.json`),
    );
    expect(section.bytes).toBe(encoded.files.reduce((a, f) => a + f.bytes.length, 0));
    const back = decodeAll(encoded);
    expect(back.size).toBe(200);
    for (const e of entries) expect(back.get(e.id)).toEqual(e);
    for (const f of encoded.files)
      for (const e of decodeCatalogShard(f.bytes, section, indexOf(f.name), f.name))
        expect(catalogShardFile(section, e.id as string)).toBe(f.name);
    // One JSON document per file, served as JSON.
    expect(JSON.parse(new TextDecoder().decode(encoded.files[0].bytes))[0]).toBe(CATALOG_FORMAT);
  });

  it('writes shared starts of links once per shard, and keeps relative links as written', () => {
    const encoded = encodeCatalog(
      [entry(1), entry(2), { id: 'rel', title: 'Relative', url: '/p/rel' }],
      { entriesPerShard: 10 },
    );
    const text = new TextDecoder().decode(encoded.files[0].bytes);
    expect(text.split('https://cdn.shop.test/img/sku-').length).toBe(2);
    expect(decodeAll(encoded).get('rel')).toEqual({ id: 'rel', title: 'Relative', url: '/p/rel' });
  });

  it('drops and counts unusable entries; a later entry completes an earlier one', () => {
    const encoded = encodeCatalog([
      entry(1),
      { id: 'x', title: 'No link' },
      { ...entry(2), url: 'javascript:alert(1)' },
      null,
      { id: 'sku-1', title: 'Renamed', url: 'https://shop.test/p/sku-1', price: 1 },
    ]);
    expect(encoded.dropped).toBe(3);
    expect(encoded.section.items).toBe(1);
    expect(decodeAll(encoded).get('sku-1')).toEqual({ ...entry(1), title: 'Renamed', price: 1 });
  });

  it('gives the same files for the same entries in another order, and new names for new data', () => {
    const entries = Array.from({ length: 50 }, (_, i) => entry(i));
    const at = new Date(0);
    const one = encodeCatalog(entries, { createdAt: at });
    const two = encodeCatalog([...entries].reverse(), { createdAt: at });
    expect(two).toEqual(one);
    const cheaper = encodeCatalog([...entries.slice(1), entry(0, { price: 1 })], {
      createdAt: at,
    });
    expect(cheaper.section.id).not.toBe(one.section.id);
  });

  it('refuses a bad entriesPerShard', () => {
    expect(() => encodeCatalog([], { entriesPerShard: 0 })).toThrow(
      'entriesPerShard must be an integer from 1 to 100000, got 0',
    );
  });
});

describe('decodeCatalogShard', () => {
  const encoded = encodeCatalog(
    Array.from({ length: 40 }, (_, i) => entry(i)),
    { entriesPerShard: 10 },
  );
  const { section } = encoded;
  const file = encoded.files[1];
  const name = 'https://shop.test/model/catalog-x/1.json';
  const decode = (bytes: Uint8Array, index = 1, s = section) =>
    decodeCatalogShard(bytes, s, index, name);
  const text = new TextDecoder().decode(file.bytes);
  const bytesOf = (t: string) => new TextEncoder().encode(t);

  it('refuses a foreign file', () => {
    for (const other of ['<!doctype html><p>Not found</p>\n', '{"a":1}\n[]', '', '[1,2]\n'])
      expect(() => decode(bytesOf(other))).toThrow(
        expect.objectContaining({
          code: 'INVALID_MODEL',
          message: `Catalog file ${name} is not a likewise catalogue shard.`,
        }),
      );
  });

  it('refuses another version', () => {
    expect(() =>
      decode(bytesOf(text.replace('"likewise-catalog",1,', '"likewise-catalog",2,'))),
    ).toThrow(`Catalog file ${name} has version 2: this likewise reads version 1.`);
  });

  it('refuses a truncated file with its sizes', () => {
    const body = file.bytes.length - file.bytes.indexOf(10) - 1;
    expect(() => decode(file.bytes.subarray(0, file.bytes.length - 7))).toThrow(
      `Catalog file ${name} is truncated: ${body - 7} of ${body} bytes.`,
    );
  });

  it('refuses changed bytes, trailing bytes, a shard of another catalogue or index', () => {
    const flipped = file.bytes.slice();
    flipped[flipped.length - 5] ^= 1;
    expect(() => decode(flipped)).toThrow(`Catalog file ${name} is corrupt: checksum mismatch.`);
    const longer = new Uint8Array(file.bytes.length + 1);
    longer.set(file.bytes);
    expect(() => decode(longer)).toThrow(`Catalog file ${name} is corrupt: trailing bytes.`);
    expect(() => decode(file.bytes, 2)).toThrow(
      `Catalog file ${name} is corrupt: shard index or count differs from the manifest.`,
    );
    expect(() => decode(file.bytes, 1, { ...section, id: '00000000' })).toThrow(
      `Catalog file ${name} is corrupt: it belongs to catalogue ${section.id}.`,
    );
  });

  it('leaves out rows whose id belongs to another shard', () => {
    const rows = decode(file.bytes);
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => shardOf(r.id as string, section.shards) === 1)).toBe(true);
  });
});

describe('validateCatalogSection', () => {
  const { section } = encodeCatalog([entry(1)]);
  it('accepts what encodeCatalog writes and refuses what a page cannot use', () => {
    expect(validateCatalogSection(section, 'm.json')).toBe(section);
    expect(() => validateCatalogSection({ ...section, version: 9 }, 'm.json')).toThrow(
      'Unsupported catalog version 9 in m.json: this likewise reads version 1.',
    );
    expect(() => validateCatalogSection({ ...section, dir: '../../x/' }, 'm.json')).toThrow(
      `Invalid model manifest m.json: catalog dir must be 'catalog-${section.id}/'.`,
    );
    expect(() => validateCatalogSection({ ...section, shards: 0 }, 'm.json')).toThrow(
      'Invalid model manifest m.json: catalog shards must be an integer from 1 to 16777216.',
    );
    expect(() => validateCatalogSection([], 'm.json')).toThrow(
      'Invalid model manifest m.json: catalog must be an object.',
    );
  });
});
