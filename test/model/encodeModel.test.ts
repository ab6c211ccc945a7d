import { describe, expect, it } from 'vitest';
import { decodePopularity, decodeShard, validateManifest } from '../../src/model/decodeModel';
import {
  DEFAULT_SHARD_BYTES,
  encodeModel,
  encodeShardRange,
  type ModelInput,
  type ModelNeighbours,
  shardLayout,
} from '../../src/model/encodeModel';
import { shardFile } from '../../src/model/modelFormat';
import { shardOf } from '../../src/model/shardOf';
import { fnv1a } from '../../src/shared/fnv1a';
import { SAMPLE_IDS as ids, SAMPLE_INPUT as input } from './fixtures';

/** CSR neighbours from plain lists: `lists[i]` = [[j, score], ...] best first. */
function csr(itemIds: string[], lists: [number, number][][]): ModelNeighbours {
  const offsets = new Uint32Array(itemIds.length + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  lists.forEach((list, i) => {
    for (const [j, s] of list) {
      indices.push(j);
      scores.push(s);
    }
    offsets[i + 1] = indices.length;
  });
  return {
    itemIds,
    offsets,
    indices: Uint32Array.from(indices),
    scores: Float32Array.from(scores),
  };
}

const similar = input.neighbours;

/** Every item's decoded similar/together list, by id. */
function decodeAll(model: ReturnType<typeof encodeModel>) {
  const { manifest, files } = model;
  const out = new Map<string, { similar: [string, number][]; together: [string, number][] }>();
  for (let s = 0; s < manifest.shards; s++) {
    const bytes = files.find((f) => f.name === shardFile(manifest, s))!.bytes;
    for (const [id, lists] of decodeShard(bytes, manifest, s)) {
      const list = (k: 0 | 1) =>
        (lists[k]?.ids ?? []).map((j, p): [string, number] => [j, lists[k]!.scores[p]]);
      expect(shardOf(id, manifest.shards)).toBe(s);
      out.set(id, { similar: list(0), together: list(1) });
    }
  }
  return out;
}
describe('encodeModel / decodeShard', () => {
  it('round-trips every list in order, with 8-bit scores within 1/255 of the row max', () => {
    const model = encodeModel(input, { shards: 3 });
    const lists = decodeAll(model);
    expect([...lists.keys()].sort()).toEqual([...ids].sort());
    ids.forEach((id, i) => {
      const got = lists.get(id)!;
      const want: [string, number][] = [];
      for (let p = similar.offsets[i]; p < similar.offsets[i + 1]; p++) {
        want.push([ids[similar.indices[p]], similar.scores[p]]);
      }
      expect(got.similar.map((x) => x[0])).toEqual(want.map((x) => x[0]));
      const max = Math.max(0, ...want.map((x) => x[1]));
      got.similar.forEach(([, s], x) => {
        expect(Math.abs(s - want[x][1])).toBeLessThanOrEqual(max / 255);
        expect(s).toBeGreaterThan(0);
      });
    });
    expect(lists.get('a')!.together).toEqual([['d', 2]]);
    expect(lists.get('d')!.together).toEqual([['a', 2]]);
    expect(lists.get('b')!.together).toEqual([]);
  });

  it('round-trips ids that need escaping in JSON, non-BMP ids and lone surrogates', () => {
    const tricky = [
      'sku-10',
      'sku-"1"',
      'sku\\1',
      '😀a',
      '😁',
      '\ud800',
      'line\nbreak',
      '</script>',
    ];
    const n = tricky.length;
    // Every item lists every other one, so each shard names all ids.
    const all = tricky.map((_, i) =>
      tricky.map((_, j) => [j, 1] as [number, number]).filter(([j]) => j !== i),
    );
    const { manifest, files } = encodeModel(
      { neighbours: csr(tricky, all), k: n - 1, similarity: 'cosine' },
      { shards: 2 },
    );
    const seen = new Set<string>();
    for (let s = 0; s < manifest.shards; s++) {
      const bytes = files.find((f) => f.name === shardFile(manifest, s))!.bytes;
      for (const [id, [list]] of decodeShard(bytes, manifest, s)) {
        seen.add(id);
        expect([...list!.ids, id].sort()).toEqual([...tricky].sort());
      }
    }
    expect([...seen].sort()).toEqual([...tricky].sort());
  });

  it('keeps 16-bit scores within 1/65535 of the row max', () => {
    const lists = decodeAll(encodeModel(input, { shards: 2, scoreBits: 16 }));
    expect(lists.get('c')!.similar[2][1]).toBeCloseTo(0.01, 4);
  });

  it('writes a manifest of constant size: the shards in model-<id>/, each with its own size and checksum', () => {
    const { manifest, files } = encodeModel(input, {
      shards: 4,
      createdAt: new Date(Date.UTC(2024, 0, 1)),
    });
    expect(manifest).toMatchObject({
      format: 'likewise-model',
      version: 3,
      createdAt: '2024-01-01T00:00:00.000Z',
      items: 6,
      shards: 4,
      hash: 'fnv1a',
      k: 3,
      similarity: 'cosine',
      scoreBits: 8,
      dir: `model-${manifest.id}/`,
      together: { k: 1, types: ['add_to_cart', 'purchase'] },
    });
    expect(files.map((f) => f.name)).toEqual([
      ...[0, 1, 2, 3].map((s) => `model-${manifest.id}/${s}.json`),
      manifest.popularity.file,
      'manifest.json',
    ]);
    const checksums: string[] = [];
    let total = 0;
    for (const [s, { bytes }] of files.slice(0, 4).entries()) {
      const text = new TextDecoder().decode(bytes);
      const body = bytes.subarray(bytes.indexOf(10) + 1);
      const [header] = JSON.parse(text);
      expect(header).toEqual({
        format: 'likewise-model',
        version: 3,
        id: manifest.id,
        shard: s,
        shards: 4,
        bytes: body.length,
        checksum: fnv1a(body).toString(16).padStart(8, '0'),
      });
      checksums.push(header.checksum);
      total += bytes.length;
    }
    expect(manifest.bytes).toBe(total);
    expect(manifest.id).toBe(
      fnv1a(new TextEncoder().encode(`likewise-model/3:${checksums.join('')}`))
        .toString(16)
        .padStart(8, '0'),
    );
    const json = JSON.parse(new TextDecoder().decode(files.at(-1)!.bytes));
    expect(validateManifest(json, 'manifest.json')).toEqual(manifest);
  });

  it('lists popularity best first, zero-popularity items left out, scores to 4 significant digits', () => {
    const { manifest, files } = encodeModel(
      { ...input, popularity: [5, 1, 0, 1234.5678, 2, 0.00123456] },
      { shards: 1 },
    );
    const pop = decodePopularity(
      files.find((f) => f.name === manifest.popularity.file)!.bytes,
      manifest,
    );
    expect(pop.ids).toEqual(['d', 'a', 'é-☕', 'b', '😀']);
    // As float32, as every list's scores.
    expect(pop.scores).toEqual([1235, 5, 2, 1, Math.fround(0.001235)]);
  });

  it('chooses the shard count from the size of the model: small shards by default', () => {
    const n = 3000;
    const many = Array.from({ length: n }, (_, i) => `item-${i}`);
    const lists = many.map((_, i) =>
      Array.from({ length: 20 }, (_, x) => [(i + x + 1) % n, 1 / (x + 1)] as [number, number]),
    );
    const model = {
      ...input,
      neighbours: csr(many, lists),
      together: undefined,
      popularity: undefined,
    };
    const small = encodeModel(model);
    const big = encodeModel(model, { targetShardBytes: 20_000 });
    expect(small.manifest.shards).toBeGreaterThan(big.manifest.shards);
    const mean = (m: typeof small) => m.manifest.bytes / m.manifest.shards;
    expect(mean(small)).toBeGreaterThan(DEFAULT_SHARD_BYTES / 2);
    expect(mean(small)).toBeLessThan(DEFAULT_SHARD_BYTES * 2);
    expect(mean(big)).toBeGreaterThan(10_000);
    expect(mean(big)).toBeLessThan(40_000);
  });

  it('gives the same files when the shards are encoded in parts elsewhere', () => {
    const n = 3000;
    const many = Array.from({ length: n }, (_, i) => `item-${i}`);
    const lists = many.map((_, i) =>
      Array.from({ length: 20 }, (_, x) => [(i + x + 1) % n, 1 / (x + 1)] as [number, number]),
    );
    const big: ModelInput = { ...input, neighbours: csr(many, lists), together: undefined };
    const createdAt = new Date(0);
    const whole = encodeModel(big, { createdAt });
    const layout = shardLayout(big);
    expect(layout).toEqual({ shards: whole.manifest.shards, scoreBits: 8 });
    const half = Math.ceil(layout.shards / 2);
    const parts = encodeShardRange(big, layout.shards, 8, 0, half).concat(
      encodeShardRange(big, layout.shards, 8, half, layout.shards),
    );
    const joined = encodeModel(big, { ...layout, shardBytes: parts, createdAt });
    expect(joined.files.map((f) => f.name)).toEqual(whole.files.map((f) => f.name));
    for (const [x, f] of joined.files.entries()) expect(f.bytes).toEqual(whole.files[x].bytes);
    expect(() => encodeModel(big, { ...layout, shardBytes: parts.slice(1), createdAt })).toThrow(
      `shardBytes must hold ${layout.shards} shards, got ${layout.shards - 1}`,
    );
  });

  it('refuses a bad shard count', () => {
    expect(() => encodeModel(input, { shards: 0 })).toThrow(
      'shards must be an integer from 1 to 16777216, got 0',
    );
  });
});
