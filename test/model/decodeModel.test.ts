// Decoding refuses what is not a likewise model file, with exact messages.
// Round trips (encode, then decode) are in encodeModel.test.ts.
import { describe, expect, it } from 'vitest';
import { decodePopularity, decodeShard, validateManifest } from '../../src/model/decodeModel';
import { encodeModel } from '../../src/model/encodeModel';
import { shardFile } from '../../src/model/modelFormat';
import { fnv1a } from '../../src/shared/fnv1a';
import { invalidModel as fails, SAMPLE_INPUT as input } from './fixtures';

/** A file with another body (header fields changed by `header`), its size and checksum made right again. */
function rewrite(
  bytes: Uint8Array,
  body: (values: unknown[]) => unknown[],
  header: (h: Record<string, unknown>) => void = () => {},
): Uint8Array {
  const [h, ...values] = JSON.parse(new TextDecoder().decode(bytes));
  const rest = new TextEncoder().encode(`${JSON.stringify(body(values)).slice(1)}\n`);
  header(h);
  const head = JSON.stringify([
    { ...h, bytes: rest.length, checksum: fnv1a(rest).toString(16).padStart(8, '0') },
  ]);
  return new TextEncoder().encode(`${head.slice(0, -1)},\n${new TextDecoder().decode(rest)}`);
}

describe('validation', () => {
  const model = encodeModel(input, { shards: 2 });
  const { manifest } = model;
  const name = shardFile(manifest, 0);
  const shard0 = model.files.find((f) => f.name === name)!.bytes;
  const text = new TextDecoder().decode(shard0);
  const bytesOf = (t: string) => new TextEncoder().encode(t);

  it('refuses foreign, old-format and broken manifests with exact messages', () => {
    expect(fails(() => validateManifest('hello', 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest(null, 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    expect(fails(() => validateManifest({ format: 'other', version: 3 }, 'm.json')).message).toBe(
      'Not a likewise model manifest: m.json.',
    );
    // A model built by an earlier likewise (binary shards) says what to do.
    expect(fails(() => validateManifest({ ...manifest, version: 2 }, 'm.json')).message).toBe(
      'Unsupported model version 2 in m.json: this likewise reads version 3 (rebuild the model with likewise train).',
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
    for (const file of ['https://elsewhere.test/popularity-00000000.json', '../x.json', 3])
      expect(
        fails(() => validateManifest({ ...manifest, popularity: { file, items: 1 } }, 'm.json'))
          .message,
      ).toBe(
        'Invalid model manifest m.json: popularity must name its popularity-<checksum>.json file.',
      );
    for (const config of [
      null,
      { recencyHalfLife: 0 },
      { recencyHalfLife: 2, weights: { view: -1 } },
    ])
      expect(fails(() => validateManifest({ ...manifest, config }, 'm.json')).message).toBe(
        'Invalid model manifest m.json: config must give recencyHalfLife > 0 and weights >= 0.',
      );
  });

  it('has the same manifest size whatever the shard count', () => {
    const size = (shards: number) =>
      encodeModel(input, { shards, createdAt: new Date(0) }).files.at(-1)!.bytes.length;
    // Only the digits of the shard count and of the byte total differ.
    expect(Math.abs(size(20_000) - size(2))).toBeLessThan(12);
  });

  it('refuses a foreign shard file, and an old binary one', () => {
    for (const other of [
      '<!doctype html><title>404</title>',
      '{"a":1}\n[]',
      '',
      '[1,2]\n',
      'LWSH\x02\x08',
    ])
      expect(fails(() => decodeShard(bytesOf(other), manifest, 0)).message).toBe(
        `File ${name} is not a likewise-model file.`,
      );
  });

  it('refuses a shard of another version', () => {
    const v9 = bytesOf(text.replace('"version":3,', '"version":9,'));
    expect(fails(() => decodeShard(v9, manifest, 0)).message).toBe(
      `File ${name} has version 9, expected 3.`,
    );
  });

  it('refuses a truncated shard with its sizes', () => {
    const body = shard0.length - shard0.indexOf(10) - 1;
    expect(fails(() => decodeShard(shard0.slice(0, shard0.length - 3), manifest, 0)).message).toBe(
      `File ${name} has ${body - 3} bytes, expected ${body}.`,
    );
    // Cut inside the header: not recognisable as a shard any more.
    expect(fails(() => decodeShard(shard0.slice(0, 20), manifest, 0)).message).toBe(
      `File ${name} is not a likewise-model file.`,
    );
  });

  it('refuses a corrupt shard: any byte of the body changed, a byte too many', () => {
    const start = shard0.indexOf(10) + 1;
    for (let at = start; at < shard0.length; at++) {
      const flipped = shard0.slice();
      flipped[at] ^= 0x01;
      expect(fails(() => decodeShard(flipped, manifest, 0)).message, `byte ${at}`).toBe(
        `File ${name} is corrupt: checksum mismatch.`,
      );
    }
    const longer = new Uint8Array(shard0.length + 1);
    longer.set(shard0);
    const body = shard0.length - start;
    expect(fails(() => decodeShard(longer, manifest, 0)).message).toBe(
      `File ${name} has ${body + 1} bytes, expected ${body}.`,
    );
  });

  it('refuses a valid shard of another model, or served under another shard index', () => {
    const theirs = rewrite(
      shard0,
      (v) => v,
      (h) => {
        h.id = '0badf00d';
      },
    );
    expect(fails(() => decodeShard(theirs, manifest, 0)).message).toBe(
      `File ${name} has id 0badf00d, expected ${manifest.id}.`,
    );
    expect(fails(() => decodeShard(shard0, manifest, 1)).message).toBe(
      `File ${shardFile(manifest, 1)} has shard 0, expected 1.`,
    );
    expect(fails(() => decodeShard(shard0, { ...manifest, shards: 3 }, 0)).message).toBe(
      `File ${name} has shards 2, expected 3.`,
    );
  });

  it('refuses lists that do not match the ids, even with a right checksum', () => {
    const [q, ids, similar, together] = JSON.parse(`[${text.slice(text.indexOf('\n') + 1)}`);
    const bad = [
      [0, ids, similar, together], // no score scale
      [q, ids.map(() => 1), similar, together], // ids that are not strings
      [q, ids, similar], // no together lists
      [q, ids, similar, together.slice(1)], // lists of different lengths
      [q, ids, similar.map(() => [1, 'b', -1]), together], // a negative score
      [q, ids, similar.map(() => [1, 0, 1]), together], // a neighbour that is not an id
      [q, ids, similar.map(() => [1, 'b']), together], // a neighbour without a score
      [q, ids, similar.map(() => 'x'), together], // a list that is not one
      [q, ['only'], [0, 0], [0, 0]], // more lists than items
    ];
    for (const values of bad)
      expect(
        fails(() =>
          decodeShard(
            rewrite(shard0, () => values),
            manifest,
            0,
          ),
        ).message,
        JSON.stringify(values),
      ).toBe(`File ${name} is corrupt: lists do not match the ids.`);
  });

  it('refuses a corrupt, foreign or misplaced popularity file', () => {
    const { file } = manifest.popularity;
    const pop = model.files.find((f) => f.name === file)!.bytes;
    const bad = pop.slice();
    bad[bad.length - 3] ^= 1;
    expect(fails(() => decodePopularity(bad, manifest)).message).toBe(
      `File ${file} is corrupt: checksum mismatch.`,
    );
    expect(fails(() => decodePopularity(bytesOf('{"format":"x"}\n'), manifest)).message).toBe(
      `File ${file} is not a likewise-popularity file.`,
    );
    expect(fails(() => decodePopularity(pop, { ...manifest, id: '0badf00d' })).message).toBe(
      `File ${file} has id ${manifest.id}, expected 0badf00d.`,
    );
    for (const values of [
      [1, ['a', 1]], // no max
      [1, [1, 'a']], // an id without a score
      [1, [1, 3, 1]], // a score where an id belongs
      [0, [1, 'a', 1]], // no scale
    ])
      expect(
        fails(() =>
          decodePopularity(
            rewrite(pop, () => values),
            manifest,
          ),
        ).message,
        JSON.stringify(values),
      ).toBe(`File ${file} is corrupt: not a list.`);
  });
});
