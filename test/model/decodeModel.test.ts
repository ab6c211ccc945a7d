// Decoding refuses what is not a likewise model file, with exact messages.
// Round trips (encode, then decode) are in encodeModel.test.ts.
import { describe, expect, it } from 'vitest';
import { decodePopularity, decodeShard, validateManifest } from '../../src/model/decodeModel';
import { encodeModel } from '../../src/model/encodeModel';
import { shardFile } from '../../src/model/modelFormat';
import { fnv1a } from '../../src/shared/fnv1a';
import { invalidModel as fails, SAMPLE_INPUT as input } from './fixtures';

describe('validation', () => {
  const model = encodeModel(input, { shards: 2 });
  const { manifest } = model;
  const name = shardFile(manifest, 0);
  const shard0 = model.files.find((f) => f.name === name)!.bytes;
  /** `bytes` with its checksum made right again (a valid shard with other header fields). */
  const resum = (bytes: Uint8Array) => {
    new DataView(bytes.buffer).setUint32(24, fnv1a(bytes, 28), true);
    return bytes;
  };

  it('refuses foreign and wrong-version manifests with exact messages', () => {
    expect(fails(() => validateManifest('hello', 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest({ format: 'other', version: 2 }, 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest({ ...manifest, version: 1 }, 'm.json')).message).toBe(
      'Unsupported model version 1 in m.json: this likewise reads version 2.',
    );
    expect(fails(() => validateManifest({ ...manifest, shards: 0 }, 'm.json')).message).toBe(
      'Invalid model manifest m.json: shards must be an integer from 1 to 16777216.',
    );
    expect(fails(() => validateManifest({ ...manifest, id: 'nothex!!' }, 'm.json')).message).toBe(
      'Invalid model manifest m.json: id must be 8 hex digits.',
    );
    // Shards are never looked for anywhere but the folder the id names.
    for (const dir of ['https://elsewhere.test/', '../model-00000000/', 'model-00000000/'])
      expect(fails(() => validateManifest({ ...manifest, dir }, 'm.json')).message).toBe(
        `Invalid model manifest m.json: dir must be 'model-${manifest.id}/'.`,
      );
  });

  it('has the same manifest size whatever the shard count', () => {
    const size = (shards: number) =>
      encodeModel(input, { shards, createdAt: new Date(0) }).files.at(-1)!.bytes.length;
    // Only the digits of the shard count and of the byte total differ.
    expect(Math.abs(size(20_000) - size(2))).toBeLessThan(12);
  });

  it('refuses a foreign shard file', () => {
    const html = new TextEncoder().encode('<!doctype html><title>404</title>');
    expect(fails(() => decodeShard(html, manifest, 0)).message).toBe(
      `Model file ${name} is not a likewise shard.`,
    );
  });

  it('refuses a shard of another version', () => {
    const v1 = shard0.slice();
    v1[4] = 1;
    expect(fails(() => decodeShard(v1, manifest, 0)).message).toBe(
      `Model file ${name} has version 1: this likewise reads version 2.`,
    );
  });

  it('refuses a truncated shard', () => {
    const cut = shard0.slice(0, shard0.length - 3);
    expect(fails(() => decodeShard(cut, manifest, 0)).message).toBe(
      `Model file ${name} is truncated: ${shard0.length - 3} of ${shard0.length} bytes.`,
    );
    for (const n of [0, 3, 39])
      expect(fails(() => decodeShard(shard0.slice(0, n), manifest, 0)).message).toBe(
        `Model file ${name} is truncated: ${n} of 40 bytes.`,
      );
  });

  it('refuses a corrupt shard: any byte flipped, a byte too many', () => {
    // Every byte is covered: the checksum or a header field checked against the manifest.
    for (let at = 0; at < shard0.length; at++) {
      const flipped = shard0.slice();
      flipped[at] ^= 0x10;
      expect(() => decodeShard(flipped, manifest, 0), `byte ${at}`).toThrow(/^Model file /);
    }
    const flipped = shard0.slice();
    flipped[flipped.length - 1] ^= 0xff;
    expect(fails(() => decodeShard(flipped, manifest, 0)).message).toBe(
      `Model file ${name} is corrupt: checksum mismatch.`,
    );
    const longer = new Uint8Array(shard0.length + 1);
    longer.set(shard0);
    expect(fails(() => decodeShard(longer, manifest, 0)).message).toBe(
      `Model file ${name} is corrupt: ${shard0.length + 1} bytes, expected ${shard0.length}.`,
    );
  });

  it('refuses a valid shard of another model, or served under another shard index', () => {
    const theirs = encodeModel(
      {
        ...input,
        neighbours: {
          ...input.neighbours,
          scores: input.neighbours.scores.map((x) => x / 2 + 0.01),
        },
      },
      { shards: 2 },
    );
    expect(theirs.manifest.id).not.toBe(manifest.id);
    const foreign = theirs.files.find((f) => f.name === shardFile(theirs.manifest, 0))!.bytes;
    expect(fails(() => decodeShard(foreign, manifest, 0)).message).toBe(
      `Model file ${name} is corrupt: it belongs to another model.`,
    );
    expect(fails(() => decodeShard(shard0, manifest, 1)).message).toBe(
      `Model file ${shardFile(manifest, 1)} is corrupt: shard index or count differs from the manifest.`,
    );
    const reserved = shard0.slice();
    reserved[7] = 1;
    expect(fails(() => decodeShard(resum(reserved), manifest, 0)).message).toBe(
      `Model file ${name} is corrupt: score width differs from the manifest.`,
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
