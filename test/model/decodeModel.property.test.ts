import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import { decodePopularity, decodeShard } from '../../src/model/decodeModel';
import { encodeModel } from '../../src/model/encodeModel';
import { shardFile } from '../../src/model/modelFormat';
import { fnv1a } from '../../src/shared/fnv1a';
import { fuzzRuns } from '../support/fuzzRuns';
import { csr } from './fixtures';

const ids = ['a', 'b', 'c', 'd', 'é-☕', '😀', 'sku-10', 'sku-1'];
// Every item lists every other one, so each shard names all ids.
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

/**
 * `bytes` with the header's size and checksum made right for its body (the
 * bytes after the first newline), when it has a header that parses.
 */
function resum(bytes: Uint8Array): Uint8Array {
  const nl = bytes.indexOf(10);
  let head: unknown[];
  try {
    head = JSON.parse(`${new TextDecoder().decode(bytes.subarray(0, nl))}0]`);
  } catch {
    return bytes;
  }
  const body = bytes.subarray(nl + 1);
  const h = { ...(head[0] as object), bytes: body.length, checksum: hex8(fnv1a(body)) };
  const line = new TextEncoder().encode(`${JSON.stringify([h])}`.slice(0, -1));
  return Uint8Array.from([...line, 0x2c, 0x0a, ...body]);
}

describe('decodeShard / decodePopularity under fuzzed bytes (fast-check)', () => {
  it.each([0, 1])(
    'shard %i: damaged bytes with a matching checksum decode to valid lists or INVALID_MODEL',
    (s) => {
      const name = shardFile(model.manifest, s);
      fc.assert(
        fc.property(damage(bytesOf(name)), fc.boolean(), (damaged, fixSum) => {
          // With the checksum fixed, the parser itself is what stands between the bytes and the page.
          const bytes = fixSum ? resum(damaged) : damaged;
          const shard = documented(() => decodeShard(bytes, structuredClone(model.manifest), s));
          if (!shard) return;
          for (const [id, lists] of shard) {
            expect(typeof id).toBe('string');
            for (const l of lists) {
              if (!l) continue;
              expect(l.ids.length).toBe(l.scores.length);
              for (const j of l.ids) expect(typeof j).toBe('string');
              for (const v of l.scores) expect(Number.isFinite(v) && v >= 0).toBe(true);
            }
          }
        }),
        { numRuns: fuzzRuns() },
      );
    },
  );

  it('popularity: damaged bytes with a matching checksum decode to a valid list or INVALID_MODEL', () => {
    const file = model.manifest.popularity.file;
    fc.assert(
      fc.property(damage(bytesOf(file)), fc.boolean(), (damaged, fixSum) => {
        const bytes = fixSum ? resum(damaged) : damaged;
        const list = documented(() => decodePopularity(bytes, structuredClone(model.manifest)));
        if (!list) return;
        expect(list.ids.length).toBe(list.scores.length);
        for (const id of list.ids) expect(typeof id).toBe('string');
        for (const v of list.scores) expect(Number.isFinite(v)).toBe(true);
      }),
      { numRuns: fuzzRuns() },
    );
  });
});
