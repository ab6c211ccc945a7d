import { describe, expect, it } from 'vitest';
import { openModel } from '../../src/cli/openModel';
import { createCatalog } from '../../src/model/createCatalog';
import { createModelLoader } from '../../src/model/createModelLoader';
import { createRecommender } from '../../src/model/createRecommender';
import { encodeCatalog } from '../../src/model/encodeCatalog';
import { encodeModel } from '../../src/model/encodeModel';
import { modelPreloads } from '../../src/model/modelPreloads';
import { modelService } from '../support/modelService';
import { csr, invalidModel, MODEL_IDS, serve, tinyModel } from './fixtures';

const M = 'https://cdn.test/m/';

/** The tiny model served under https://cdn.test/m/ (the fixtures' fake server records every URL asked). */
function served(shards: number) {
  const files = tinyModel(shards);
  const { fetch, calls } = serve({ [M]: files });
  const manifest = JSON.parse(
    new TextDecoder().decode(files.find((f) => f.name === 'manifest.json')!.bytes),
  );
  return { fetch, calls, manifest };
}

/**
 * A shop of 120 items with its catalogue beside the model (40 shards of 3):
 * seeded lists of 2 to 20 neighbours (short ones fall back to popular
 * items), every seventh item out of stock.
 */
function shopWithCatalog() {
  const ids = Array.from({ length: 120 }, (_, i) => `p${i}`);
  let seed = 11;
  const random = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const lists = Object.fromEntries(
    ids.map((id, i): [string, [string, number][]] => {
      const n = 2 + Math.floor(random() * 19);
      const near = new Set<string>();
      while (near.size < n) near.add(ids[Math.floor(random() * ids.length)]);
      near.delete(id);
      return [id, [...near].map((x, r) => [x, 1 - r / 40 - i / 1e4])];
    }),
  );
  const model = encodeModel(
    {
      neighbours: csr(ids, lists),
      together: csr(ids, {}),
      popularity: ids.map((_, i) => (i * 37) % 120),
      k: 20,
      similarity: 'cosine',
    },
    { shards: 6, scoreBits: 16, createdAt: new Date(0) },
  ).files;
  const entries = ids.map((id, i) => ({
    id,
    title: `Item ${id}`,
    url: `https://shop.test/p/${id}`,
    inStock: i % 7 !== 3,
  }));
  const catalog = encodeCatalog(entries, { entriesPerShard: 3 });
  const raw = model.find((f) => f.name === 'manifest.json')!.bytes;
  const manifest = { ...JSON.parse(new TextDecoder().decode(raw)), catalog: catalog.section };
  const server = serve({ [M]: [...model, ...catalog.files], [`${M}manifest.json`]: manifest });
  return { ids, entries, manifest, server };
}

describe('modelPreloads', () => {
  it('names exactly the files the page then fetches for popularity and its items', async () => {
    for (const ids of [[], ['a'], ['a', 'b', 'z'], MODEL_IDS]) {
      const { fetch, calls, manifest } = served(4);
      const loader = createModelLoader(`${M}manifest.json`, {}, { fetch });
      await loader.popularity();
      await loader.neighbours(ids);
      const fetched = calls.map((u) => u.slice(M.length)).filter((f) => f !== 'manifest.json');
      const preloads = modelPreloads(manifest, ids);
      expect(preloads.sort(), ids.join()).toEqual(fetched.sort());
      // A shard named once, however many of the items it holds.
      expect(new Set(preloads).size).toBe(preloads.length);
    }
  });

  it('with the model in memory, also names exactly the catalogue shards a product page fetches for its similar widget', async () => {
    const { ids, entries, manifest, server } = shopWithCatalog();
    const model = await openModel(`${M}manifest.json`, { fetch: server.fetch });
    let catalogFiles = 0;
    for (const itemId of ids.slice(0, 40))
      for (const limit of [8, 3]) {
        // The page: the item's entry from its JSON-LD, a new visitor, the widget's request.
        const { fetch, calls } = server;
        calls.length = 0;
        const errors: unknown[] = [];
        const report = (e: unknown) => errors.push(e);
        const catalog = createCatalog(undefined, report, { fetch, model: `${M}manifest.json` });
        catalog.add(entries.find((e) => e.id === itemId));
        const recommend = createRecommender(
          { events: async () => [], report },
          catalog,
          modelService(`${M}manifest.json`, { fetch }),
        );
        const recs = await recommend({ type: 'similar', itemId, limit });
        expect(recs.length, itemId).toBe(limit);
        expect(errors).toEqual([]);
        const fetched = new Set(calls.map((u) => u.slice(M.length)));
        fetched.delete('manifest.json');
        const preloads = modelPreloads(manifest, [itemId], { model, limit });
        expect(preloads.sort(), `${itemId} limit ${limit}`).toEqual([...fetched].sort());
        catalogFiles += preloads.filter((f) => f.startsWith('catalog-')).length;
      }
    // Shards of the shown items and the spare candidates, not of the item itself.
    expect(catalogFiles).toBeGreaterThan(40 * 8);
    // Without the model (or a catalogue in the manifest): the model files only.
    expect(modelPreloads(manifest, ['p1']).every((f) => !f.startsWith('catalog-'))).toBe(true);
    const { catalog: _, ...bare } = manifest;
    expect(modelPreloads(bare, ['p1'], { model })).toEqual(modelPreloads(bare, ['p1']));
  });

  it('refuses what is no likewise manifest', () => {
    expect(invalidModel(() => modelPreloads({ format: 'other' })).message).toBe(
      'Not a likewise model manifest: manifest.',
    );
  });
});
