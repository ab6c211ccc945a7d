// Decoding refuses what is not a likewise model file, with exact messages.
// Round trips (encode, then decode) are in encodeModel.test.ts.
import { describe, expect, it } from 'vitest';
import { decodePopularity, decodeShard, validateManifest } from '../../src/model/decodeModel';
import { encodeModel } from '../../src/model/encodeModel';
import { fnv1a } from '../../src/shared/fnv1a';
import { invalidModel as fails, SAMPLE_INPUT as input } from './fixtures';

describe('validation', () => {
  const model = encodeModel(input, { shards: 2 });
  const { manifest } = model;
  const shard0 = model.files.find((f) => f.name === manifest.files[0])!.bytes;
  const name = manifest.files[0];

  it('refuses foreign and wrong-version manifests with exact messages', () => {
    expect(fails(() => validateManifest('hello', 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest({ format: 'other', version: 1 }, 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest({ ...manifest, version: 2 }, 'm.json')).message).toBe(
      'Unsupported model version 2 in m.json: this likewise reads version 1.',
    );
    expect(fails(() => validateManifest({ ...manifest, shards: 0 }, 'm.json')).message).toBe(
      'Invalid model manifest m.json: shards must be an integer from 1 to 65536.',
    );
    expect(
      fails(() => validateManifest({ ...manifest, files: manifest.files.slice(1) }, 'm.json'))
        .message,
    ).toBe('Invalid model manifest m.json: files must list one file name per shard.');
    expect(
      fails(() => validateManifest({ ...manifest, checksums: ['nothex!!', 'x'] }, 'm.json'))
        .message,
    ).toBe(
      'Invalid model manifest m.json: checksums must list one 8-digit hex checksum per shard.',
    );
  });

  it('refuses a foreign shard file', () => {
    const html = new TextEncoder().encode('<!doctype html><title>404</title>');
    expect(fails(() => decodeShard(html, manifest, 0)).message).toBe(
      `Model file ${name} is not a likewise shard.`,
    );
  });

  it('refuses a shard of another version', () => {
    const v2 = shard0.slice();
    v2[4] = 2;
    expect(fails(() => decodeShard(v2, manifest, 0)).message).toBe(
      `Model file ${name} has version 2: this likewise reads version 1.`,
    );
  });

  it('refuses a truncated shard', () => {
    const cut = shard0.slice(0, shard0.length - 3);
    expect(fails(() => decodeShard(cut, manifest, 0)).message).toBe(
      `Model file ${name} is truncated: ${shard0.length - 3} of ${shard0.length} bytes.`,
    );
    expect(fails(() => decodeShard(new Uint8Array(0), manifest, 0)).message).toBe(
      `Model file ${name} is truncated: 0 of ${shard0.length} bytes.`,
    );
  });

  it('refuses a corrupt shard', () => {
    const flipped = shard0.slice();
    flipped[flipped.length - 1] ^= 0xff;
    expect(fails(() => decodeShard(flipped, manifest, 0)).message).toBe(
      `Model file ${name} is corrupt: checksum mismatch.`,
    );
  });

  it('refuses a valid shard served under another shard index', () => {
    const other = { ...manifest, sizes: [...manifest.sizes], checksums: [...manifest.checksums] };
    other.sizes[1] = manifest.sizes[0];
    other.checksums[1] = manifest.checksums[0];
    expect(fails(() => decodeShard(shard0, other, 1)).message).toBe(
      `Model file ${manifest.files[1]} is corrupt: shard index or count differs from the manifest.`,
    );
  });

  it('refuses a corrupt or foreign popularity file', () => {
    const pop = model.files.find((f) => f.name === manifest.popularity.file)!.bytes;
    const bad = pop.slice();
    bad[3] ^= 1;
    expect(fails(() => decodePopularity(bad, manifest)).message).toBe(
      `Model file ${manifest.popularity.file} is corrupt: checksum mismatch.`,
    );
    const foreign = new TextEncoder().encode('{"format":"x"}');
    const m2 = {
      ...manifest,
      popularity: {
        ...manifest.popularity,
        bytes: foreign.length,
        checksum: fnv1a(foreign).toString(16).padStart(8, '0'),
      },
    };
    expect(fails(() => decodePopularity(foreign, m2)).message).toBe(
      `Model file ${manifest.popularity.file} is not a likewise popularity file.`,
    );
  });
});
