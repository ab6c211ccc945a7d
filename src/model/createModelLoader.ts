/**
 * Fetches a model built by `likewise train`: the manifest once, then only
 * the shards that hold the items a page asks about, each at most once.
 * Every file is validated; an invalid one is refused with `INVALID_MODEL`
 * so callers fall back to trending.
 */
import type { NeighbourSource, RankedList } from '../engine/neighbourSource';
import type { LikewiseError } from '../errors';
import { baseOf } from './baseOf';
import { decodePopularity, decodeShard, type ItemLists, validateManifest } from './decodeModel';
import { fetchBytes } from './fetchBytes';
import { type Manifest, shardFile } from './modelFormat';
import { shardOf } from './shardOf';

/** Options of {@link createModelLoader}. */
export interface ModelLoaderOptions {
  /** Passed to every `fetch` (credentials, cache mode...). Default none. */
  init?: RequestInit;
}

/** Injected dependencies of {@link createModelLoader}. */
export interface ModelLoaderDeps {
  /** Default `globalThis.fetch`. */
  fetch?: typeof fetch;
}

/** Similar-item lookups over the loaded shards, with bought-together beside them. */
export interface ModelSource extends NeighbourSource {
  /** Bought-together lookups over the same shards. */
  together: NeighbourSource;
}

/** What {@link createModelLoader} returns. */
export interface ModelLoader {
  /** The validated manifest (fetched once). */
  manifest(): Promise<Manifest>;
  /**
   * Loads the shards holding `itemIds` (those not loaded yet) and resolves
   * to the lookup over every shard loaded so far; lookups are synchronous.
   */
  neighbours(itemIds: readonly string[]): Promise<ModelSource>;
  /** The most popular items, best first (for trending and as the fallback). */
  popularity(): Promise<RankedList>;
}

/**
 * `make`'s promise per key, made once; one that failed to fetch
 * (`MODEL_FETCH`) is forgotten, so a later call tries again.
 */
function retrying<K, T>(make: (key: K) => Promise<T>): (key?: K) => Promise<T> {
  const made = new Map<K | undefined, Promise<T>>();
  return (key) => {
    let p = made.get(key);
    if (!p) {
      p = make(key as K);
      made.set(key, p);
      p.catch((e: LikewiseError) => e?.code === 'MODEL_FETCH' && made.delete(key));
    }
    return p;
  };
}

/**
 * Creates a loader for the model whose manifest is at `manifestUrl`
 * (absolute or relative; shard files are resolved beside it).
 *
 * @param manifestUrl - URL of `manifest.json`.
 * @param options - See {@link ModelLoaderOptions}.
 * @param deps - `fetch` to use (tests inject a fake).
 * @returns A loader; nothing is fetched until a method is called.
 * @example
 * const model = createModelLoader('/model/manifest.json');
 * const source = await model.neighbours(['sku-1']);
 * source.neighbours('sku-1'); // { ids, scores } or undefined
 */
export function createModelLoader(
  manifestUrl: string,
  options: ModelLoaderOptions = {},
  deps: ModelLoaderDeps = {},
): ModelLoader {
  const base = baseOf(manifestUrl);
  // The lists of every item of the shards loaded so far.
  const lists = new Map<string, ItemLists>();
  const bytesOf = (url: string) => fetchBytes(url, 'model', deps.fetch, options.init);

  const manifest = retrying(async () => {
    const bytes = await bytesOf(manifestUrl);
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(bytes));
    } catch {}
    // Not JSON: refused as any foreign file (`Not a likewise model manifest`).
    return validateManifest(value, manifestUrl);
  });
  const shard = retrying(async (s: number) => {
    const m = await manifest();
    for (const [id, l] of decodeShard(await bytesOf(base + shardFile(m, s)), m, s))
      lists.set(id, l);
  });
  const popularity = retrying(async () => {
    const m = await manifest();
    return decodePopularity(await bytesOf(base + m.popularity.file), m);
  });

  const lookup = (k: 0 | 1): NeighbourSource => ({ neighbours: (id) => lists.get(id)?.[k] });
  const source: ModelSource = Object.assign(lookup(0), { together: lookup(1) });

  return {
    manifest,
    async neighbours(itemIds) {
      const m = await manifest();
      const wanted = new Set<number>();
      for (const id of itemIds) wanted.add(shardOf(id, m.shards));
      await Promise.all([...wanted].map((s) => shard(s)));
      return source;
    },
    popularity,
  };
}
