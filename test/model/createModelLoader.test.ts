import { describe, expect, it } from 'vitest';
import { isLikewiseError } from '../../src/errors';
import { createModelLoader } from '../../src/model/createModelLoader';
import { encodeModel, type ModelNeighbours } from '../../src/model/encodeModel';
import { shardFile } from '../../src/model/modelFormat';
import { shardOf } from '../../src/model/shardOf';

const N = 200;
const ids = Array.from({ length: N }, (_, i) => `sku-${i}`);

/** Item i's similar items are i+1..i+5 (scores 5..1); together: i+100. */
function model(shards: number) {
  const offsets = new Uint32Array(N + 1);
  const indices: number[] = [];
  const scores: number[] = [];
  for (let i = 0; i < N; i++) {
    for (let x = 1; x <= 5; x++) {
      indices.push((i + x) % N);
      scores.push(6 - x);
    }
    offsets[i + 1] = indices.length;
  }
  const neighbours: ModelNeighbours = {
    itemIds: ids,
    offsets,
    indices: Uint32Array.from(indices),
    scores: Float32Array.from(scores),
  };
  const together: ModelNeighbours = {
    itemIds: ids,
    offsets: Uint32Array.from({ length: N + 1 }, (_, i) => i),
    indices: Uint32Array.from({ length: N }, (_, i) => (i + 100) % N),
    scores: new Float32Array(N).fill(1),
  };
  return encodeModel(
    {
      neighbours,
      together,
      popularity: Float32Array.from({ length: N }, (_, i) => N - i),
      k: 5,
      similarity: 'cosine',
    },
    { shards },
  );
}

/** A fake fetch over the model's files under https://cdn.test/m/, counting requests. */
function server(files: { name: string; bytes: Uint8Array }[]) {
  const body = new Map(files.map((f) => [`https://cdn.test/m/${f.name}`, f.bytes]));
  const calls: string[] = [];
  const fetch = (async (url: string) => {
    calls.push(String(url));
    await new Promise((r) => setTimeout(r, 1));
    const bytes = body.get(String(url).split('?')[0]);
    if (!bytes) return new Response('not found', { status: 404 });
    return new Response(bytes.slice(), { status: 200 });
  }) as unknown as typeof globalThis.fetch;
  return { fetch, calls, body };
}

describe('createModelLoader', () => {
  it('fetches nothing until asked', () => {
    const { fetch, calls } = server(model(8).files);
    createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    expect(calls).toEqual([]);
  });

  it('fetches the manifest once and only the shards of the requested items', async () => {
    const { files, manifest } = model(8);
    const { fetch, calls } = server(files);
    const loader = createModelLoader('https://cdn.test/m/manifest.json?v=3', {}, { fetch });
    const source = await loader.neighbours(['sku-7']);
    const shard = shardOf('sku-7', 8);
    expect(calls).toEqual([
      'https://cdn.test/m/manifest.json?v=3',
      `https://cdn.test/m/${shardFile(manifest, shard)}`,
    ]);
    const list = source.neighbours('sku-7')!;
    expect(list.ids).toEqual(['sku-8', 'sku-9', 'sku-10', 'sku-11', 'sku-12']);
    expect(Array.from(list.scores)[0]).toBe(5);
    expect(source.together.neighbours('sku-7')!.ids).toEqual(['sku-107']);
    // Not loaded yet (another shard) or unknown: no list, no fetch.
    const elsewhere = ids.find((id) => shardOf(id, 8) !== shard)!;
    expect(source.neighbours(elsewhere)).toBeUndefined();
    expect(source.neighbours('no-such-item')).toBeUndefined();
    expect(calls.length).toBe(2);

    // Loaded shards are cached; only the new shard is fetched.
    await loader.neighbours(['sku-7', elsewhere]);
    expect(calls.length).toBe(3);
    expect(source.neighbours(elsewhere)!.ids.length).toBe(5);
    await loader.neighbours(['sku-7', elsewhere]);
    expect(calls.length).toBe(3);
  });

  it('shares in-flight requests between concurrent callers', async () => {
    const { files } = model(4);
    const { fetch, calls } = server(files);
    const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    await Promise.all([
      loader.neighbours(['sku-1']),
      loader.neighbours(['sku-1']),
      loader.manifest(),
      loader.popularity(),
      loader.popularity(),
    ]);
    expect(calls.filter((c) => c.endsWith('manifest.json')).length).toBe(1);
    expect(calls.filter((c) => c.includes('/model-')).length).toBe(1);
    expect(calls.filter((c) => c.includes('popularity-')).length).toBe(1);
  });

  it('gives popularity best first', async () => {
    const { fetch } = server(model(4).files);
    const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    const pop = await loader.popularity();
    expect(pop.ids.slice(0, 3)).toEqual(['sku-0', 'sku-1', 'sku-2']);
  });

  it('refuses a corrupt shard with INVALID_MODEL and keeps refusing without refetching', async () => {
    const { files, manifest } = model(4);
    const { fetch, calls, body } = server(files);
    const shard = shardOf('sku-3', 4);
    const url = `https://cdn.test/m/${shardFile(manifest, shard)}`;
    const bad = body.get(url)!.slice();
    bad[bad.length - 1] ^= 0xff;
    body.set(url, bad);
    const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    const error = await loader.neighbours(['sku-3']).catch((e: unknown) => e);
    expect(isLikewiseError(error, 'INVALID_MODEL')).toBe(true);
    expect((error as Error).message).toBe(
      `File ${shardFile(manifest, shard)} is corrupt: checksum mismatch.`,
    );
    await loader.neighbours(['sku-3']).catch(() => {});
    expect(calls.filter((c) => c === url).length).toBe(1);
  });

  it('refuses a foreign manifest', async () => {
    const { fetch, body } = server(model(2).files);
    body.set('https://cdn.test/m/manifest.json', new TextEncoder().encode('<html>oops</html>'));
    const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    const error = await loader.popularity().catch((e: unknown) => e);
    expect(isLikewiseError(error, 'INVALID_MODEL')).toBe(true);
    expect((error as Error).message).toBe(
      'Not a likewise model manifest: https://cdn.test/m/manifest.json.',
    );
  });

  it('reports a missing file as MODEL_FETCH and retries it on the next call', async () => {
    const { files } = model(2);
    const { fetch, calls, body } = server(files);
    const manifestBytes = body.get('https://cdn.test/m/manifest.json')!;
    body.delete('https://cdn.test/m/manifest.json');
    const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
    const error = await loader.manifest().catch((e: unknown) => e);
    expect(isLikewiseError(error, 'MODEL_FETCH')).toBe(true);
    expect((error as Error).message).toBe(
      'Cannot fetch model file https://cdn.test/m/manifest.json: HTTP 404.',
    );
    body.set('https://cdn.test/m/manifest.json', manifestBytes);
    expect((await loader.manifest()).items).toBe(N);
    expect(calls.length).toBe(2);
  });

  it('resolves shard files beside a relative manifest URL', async () => {
    const { files, manifest } = model(2);
    const seen: string[] = [];
    const fetch = (async (url: string) => {
      seen.push(url);
      const f = files.find((x) => `/models/v1/${x.name}` === url);
      return f ? new Response(f.bytes.slice()) : new Response('', { status: 404 });
    }) as unknown as typeof globalThis.fetch;
    const loader = createModelLoader('/models/v1/manifest.json', {}, { fetch });
    await loader.neighbours(['sku-0']);
    expect(seen).toEqual([
      '/models/v1/manifest.json',
      `/models/v1/${shardFile(manifest, shardOf('sku-0', 2))}`,
    ]);
  });
});
