import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import { decodePopularity, decodeShard } from '../../src/model/decodeModel';
import { encodeModel } from '../../src/model/encodeModel';
import { type Manifest, shardFile } from '../../src/model/modelFormat';
import { fnv1a } from '../../src/shared/fnv1a';
import { fuzzRuns } from '../support/fuzzRuns';
import { csr } from './fixtures';

const ids = ['a', 'b', 'c', 'd', 'é-☕', '😀', 'sku-10', 'sku-1'];
// Every item lists every other one, so each shard's id table holds all ids.
const all = (n: number) =>
  Object.fromEntries(
    ids.map((id, i) => [
      id,
      ids
        .map((j, x): [string, number] => [j, 1 / (1 + i + x)])
        .filter(([j]) => j !== id)
        .slice(0, n),
    ]),
  );
const model = encodeModel(
  {
    neighbours: csr(ids, all(7)),
    together: csr(ids, all(2)),
    popularity: Float32Array.from(ids.map((_, i) => i + 1)),
    k: 7,
    similarity: 'cosine',
    togetherK: 2,
    togetherTypes: ['add_to_cart', 'purchase'],
  },
  { shards: 2 },
);
const hex8 = (n: number) => n.toString(16).padStart(8, '0');
const bytesOf = (name: string) => model.files.find((f) => f.name === name)!.bytes;

/** A file changed in place (bytes set, cut or grown), as a hostile host or a bad disk would. */
const damage = (bytes: Uint8Array) =>
  fc
    .record({
      sets: fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.nat(255)), { maxLength: 6 }),
      cut: fc.option(fc.nat(bytes.length), { nil: undefined }),
      grow: fc.uint8Array({ maxLength: 8 }),
    })
    .map(({ sets, cut, grow }) => {
      const out = Uint8Array.from(bytes);
      for (const [i, v] of sets) out[i] = v;
      const cutTo = cut ?? out.length;
      return Uint8Array.from([...out.subarray(0, cutTo), ...grow]);
    });

/** The call either works or throws the documented INVALID_MODEL error. */
const documented = <T>(fn: () => T): T | undefined => {
  try {
    return fn();
  } catch (e) {
    expect(isLikewiseError(e, 'INVALID_MODEL'), String(e)).toBe(true);
    return undefined;
  }
};

describe('decodeShard / decodePopularity under fuzzed bytes (fast-check)', () => {
  it.each([0, 1])(
    'shard %i: damaged bytes with a matching checksum decode to valid lists or INVALID_MODEL',
    (s) => {
      const name = shardFile(model.manifest, s);
      fc.assert(
        fc.property(damage(bytesOf(name)), fc.boolean(), (bytes, fixSum) => {
          // With the checksum fixed, the parser itself is what stands between the bytes and the page.
          const manifest: Manifest = structuredClone(model.manifest);
          if (fixSum && bytes.length >= 28) {
            const view = new DataView(bytes.buffer, bytes.byteOffset);
            view.setUint32(20, bytes.length, true);
            view.setUint32(24, fnv1a(bytes, 28), true);
          }
          const shard = documented(() => decodeShard(bytes, manifest, s));
          if (!shard) return;
          expect(shard.items).toBeLessThanOrEqual(shard.ids.length);
          for (const l of [shard.similar, shard.together]) {
            expect(l.offsets).toHaveLength(shard.items + 1);
            for (let x = 0; x < shard.items; x++)
              expect(l.offsets[x]).toBeLessThanOrEqual(l.offsets[x + 1]);
            expect(l.offsets[shard.items]).toBeLessThanOrEqual(l.indices.length);
            for (const i of l.indices) expect(i).toBeLessThan(shard.ids.length);
            for (const v of l.scores) expect(Number.isFinite(v)).toBe(true);
          }
          for (const id of shard.ids) expect(typeof id).toBe('string');
        }),
        { numRuns: fuzzRuns() },
      );
    },
  );

  it('popularity: damaged bytes with a matching checksum decode to a valid list or INVALID_MODEL', () => {
    const file = model.manifest.popularity.file;
    fc.assert(
      fc.property(damage(bytesOf(file)), fc.boolean(), (bytes, fixSum) => {
        const manifest: Manifest = structuredClone(model.manifest);
        if (fixSum) {
          manifest.popularity.checksum = hex8(fnv1a(bytes));
          manifest.popularity.bytes = bytes.length;
        }
        const list = documented(() => decodePopularity(bytes, manifest));
        if (!list) return;
        expect(list.ids.length).toBe(list.scores.length);
        for (const id of list.ids) expect(typeof id).toBe('string');
        for (let x = 0; x < list.scores.length; x++)
          expect(Number.isFinite(list.scores[x])).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
