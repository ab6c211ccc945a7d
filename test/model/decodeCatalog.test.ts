import { describe, expect, it } from 'vitest';
import { decodeCatalogShard, validateCatalogSection } from '../../src/model/decodeCatalog';
import { encodeCatalog } from '../../src/model/encodeCatalog';
import { shardOf } from '../../src/model/shardOf';
import { entry } from '../support/catalogEntry';

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
          message: `File ${name} is not a likewise-catalog file.`,
        }),
      );
  });

  it('refuses another version', () => {
    expect(() => decode(bytesOf(text.replace('"version":2,', '"version":3,')))).toThrow(
      `File ${name} has version 3, expected 2.`,
    );
  });

  it('refuses a truncated file with its sizes', () => {
    const body = file.bytes.length - file.bytes.indexOf(10) - 1;
    expect(() => decode(file.bytes.subarray(0, file.bytes.length - 7))).toThrow(
      `File ${name} has ${body - 7} bytes, expected ${body}.`,
    );
  });

  it('refuses changed bytes, trailing bytes, a shard of another catalogue or index', () => {
    const flipped = file.bytes.slice();
    flipped[flipped.length - 5] ^= 1;
    expect(() => decode(flipped)).toThrow(`File ${name} is corrupt: checksum mismatch.`);
    const longer = new Uint8Array(file.bytes.length + 1);
    longer.set(file.bytes);
    const body = file.bytes.length - file.bytes.indexOf(0x0a) - 1;
    expect(() => decode(longer)).toThrow(`File ${name} has ${body + 1} bytes, expected ${body}.`);
    expect(() => decode(file.bytes, 2)).toThrow(`File ${name} has shard 1, expected 2.`);
    expect(() => decode(file.bytes, 1, { ...section, shards: 9 })).toThrow(
      `File ${name} has shards ${section.shards}, expected 9.`,
    );
    expect(() => decode(file.bytes, 1, { ...section, id: '00000000' })).toThrow(
      `File ${name} has catalog ${section.id}, expected 00000000.`,
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
    // A catalogue built by an earlier likewise says what to do.
    expect(() => validateCatalogSection({ ...section, version: 1 }, 'm.json')).toThrow(
      'Invalid model manifest m.json: catalog version must be 2 (rebuild the catalogue with likewise catalog).',
    );
    expect(() => validateCatalogSection({ ...section, dir: '../../x/' }, 'm.json')).toThrow(
      `Invalid model manifest m.json: catalog dir must be 'catalog-${section.id}/'.`,
    );
    expect(() => validateCatalogSection({ ...section, shards: 0 }, 'm.json')).toThrow(
      'Invalid model manifest m.json: catalog shards must be an integer from 1 to 16777216.',
    );
    for (const value of [[], null, 'catalog-1/'])
      expect(() => validateCatalogSection(value, 'm.json')).toThrow(
        "Invalid model manifest m.json: catalog format must be 'likewise-catalog'.",
      );
  });
});
