import { describe, expect, it } from 'vitest';
import { createModelLoader } from '../../src/model/createModelLoader';
import { modelPreloads } from '../../src/model/modelPreloads';
import { invalidModel, MODEL_IDS, serve, tinyModel } from './fixtures';

/** The tiny model served under https://cdn.test/m/ (the fixtures' fake server records every URL asked). */
function served(shards: number) {
  const files = tinyModel(shards);
  const { fetch, calls } = serve({ 'https://cdn.test/m/': files });
  const manifest = JSON.parse(
    new TextDecoder().decode(files.find((f) => f.name === 'manifest.json')!.bytes),
  );
  return { fetch, calls, manifest };
}

describe('modelPreloads', () => {
  it('names exactly the files the page then fetches for popularity and its items', async () => {
    for (const ids of [[], ['a'], ['a', 'b', 'z'], MODEL_IDS]) {
      const { fetch, calls, manifest } = served(4);
      const loader = createModelLoader('https://cdn.test/m/manifest.json', {}, { fetch });
      await loader.popularity();
      await loader.neighbours(ids);
      const fetched = calls
        .map((u) => u.slice('https://cdn.test/m/'.length))
        .filter((f) => f !== 'manifest.json');
      const preloads = modelPreloads(manifest, ids);
      expect(preloads.sort(), ids.join()).toEqual(fetched.sort());
      // A shard named once, however many of the items it holds.
      expect(new Set(preloads).size).toBe(preloads.length);
    }
  });

  it('refuses what is no likewise manifest', () => {
    expect(invalidModel(() => modelPreloads({ format: 'other' })).message).toBe(
      'Not a likewise model manifest: manifest.',
    );
  });
});
