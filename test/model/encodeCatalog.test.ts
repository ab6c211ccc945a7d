import { describe, expect, it } from 'vitest';
import { CATALOG_FIELDS, CATALOG_FORMAT, catalogShardFile } from '../../src/model/catalogFormat';
import { decodeCatalogShard } from '../../src/model/decodeCatalog';
import { encodeCatalog } from '../../src/model/encodeCatalog';
import { entry } from '../support/catalogEntry';

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
  it('writes the row fields in the documented order (the format, whatever cleanItem lists)', () => {
    expect(CATALOG_FIELDS).toEqual([
      'id',
      'title',
      'url',
      'image',
      'price',
      'currency',
      'category',
      'brand',
      'inStock',
    ]);
    const { files } = encodeCatalog([entry(1, { brand: 'Acme', inStock: false })]);
    const row = JSON.parse(new TextDecoder().decode(files[0].bytes))[2][0];
    expect(row.slice(-2)).toEqual(['Acme', false]);
  });

  it('round-trips every entry, each in the shard its id hashes to', () => {
    const entries = Array.from({ length: 200 }, (_, i) =>
      entry(i, i === 7 ? { inStock: false, brand: 'Acme' } : {}),
    );
    const encoded = encodeCatalog(entries, { entriesPerShard: 16 });
    const { section } = encoded;
    expect(section).toMatchObject({
      format: CATALOG_FORMAT,
      version: 2,
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
    expect(JSON.parse(new TextDecoder().decode(encoded.files[0].bytes))[0].format).toBe(
      CATALOG_FORMAT,
    );
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
