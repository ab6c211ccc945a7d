/**
 * The Node API: loads a model built by `likewise train` (a directory or a
 * URL) whole into memory, validated as the browser validates it, and
 * answers recommendations synchronously with the browser's scoring.
 */
import { readFile, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { NeighbourSource, RankedList } from '../engine/neighbourSource';
import type { ScoredItem } from '../engine/recommend';
import { LikewiseError } from '../errors';
import {
  decodePopularity,
  decodeShard,
  type ItemLists,
  validateManifest,
} from '../model/decodeModel';
import { type Manifest, shardFile } from '../model/modelFormat';
import { type LoadedModel, type ModelRequest, recommendWith } from '../model/recommendWith';

/** A model in memory (see {@link openModel}). */
export interface OpenModel extends LoadedModel {
  manifest: Manifest;
  /** Scores one request, as the browser's `recommend()` would for the same events. */
  recommend(request: ModelRequest): ScoredItem[];
}

/** Options of {@link openModel}. */
export interface OpenModelOptions {
  /** For URLs. Default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Relative paths start here. Default `process.cwd()`. */
  cwd?: string;
}

/**
 * Loads the model at `location`: an `http(s)://` URL of `manifest.json` or
 * of its directory, or a local directory (or its `manifest.json`). Every
 * file is checked (`INVALID_MODEL` when one is corrupt, `MODEL_FETCH` when
 * one cannot be read).
 *
 * @example
 * const model = await openModel('public/model');
 * model.recommend({ type: 'for-you', events, limit: 10 });
 */
export async function openModel(
  location: string,
  options: OpenModelOptions = {},
): Promise<OpenModel> {
  return modelOf(await readModel(location, options));
}

/** A model's files, read and decoded (see {@link readModel}). */
export interface ModelFiles {
  manifest: Manifest;
  /** Every item's lists, by id, in shard order. */
  lists: Map<string, ItemLists>;
  popularity: RankedList;
}

/** Reads and checks every file of the model at `location` (see {@link openModel}). */
export async function readModel(
  location: string,
  options: OpenModelOptions = {},
): Promise<ModelFiles> {
  const read = await reader(location, options);
  const bytes = await read('manifest.json');
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw new LikewiseError('INVALID_MODEL', `Not a likewise model manifest: ${location}.`);
  }
  const manifest = validateManifest(value, location);
  const lists = new Map<string, ItemLists>();
  // A few at a time: a big model has thousands of shards.
  for (let s = 0; s < manifest.shards; s += 32) {
    const batch = Array.from({ length: Math.min(32, manifest.shards - s) }, (_, x) => s + x);
    const decoded = await Promise.all(
      batch.map(async (x) => decodeShard(await read(shardFile(manifest, x)), manifest, x)),
    );
    for (const shard of decoded) for (const [id, l] of shard) lists.set(id, l);
  }
  const popularity = decodePopularity(await read(manifest.popularity.file), manifest);
  return { manifest, lists, popularity };
}

/** The {@link OpenModel} of files already read. */
export function modelOf({ manifest, lists, popularity }: ModelFiles): OpenModel {
  const lookup = (k: 0 | 1): NeighbourSource => ({ neighbours: (id) => lists.get(id)?.[k] });
  const model: LoadedModel = {
    similar: lookup(0),
    together: lookup(1),
    popularity,
    config: manifest.config,
  };
  return { ...model, manifest, recommend: (request) => recommendWith(model, request) };
}

/** Reads a model file by its name in the model's directory or URL. */
async function reader(
  location: string,
  options: OpenModelOptions,
): Promise<(name: string) => Promise<Uint8Array>> {
  if (/^https?:\/\//i.test(location)) {
    const base = location.endsWith('.json')
      ? location.slice(0, location.lastIndexOf('/') + 1)
      : location.endsWith('/')
        ? location
        : `${location}/`;
    const get = options.fetch ?? globalThis.fetch;
    return async (name) => {
      const url = new URL(name, base).href;
      let response: Response;
      try {
        response = await get(url);
      } catch (error) {
        throw new LikewiseError('MODEL_FETCH', `Cannot fetch model file ${url}.`, error);
      }
      if (!response.ok)
        throw new LikewiseError(
          'MODEL_FETCH',
          `Cannot fetch model file ${url}: HTTP ${response.status}.`,
        );
      return new Uint8Array(await response.arrayBuffer());
    };
  }
  let dir = resolve(options.cwd ?? process.cwd(), location);
  const info = await stat(dir).catch((error: unknown) => {
    throw new LikewiseError('MODEL_FETCH', `Cannot read model ${location}.`, error);
  });
  if (!info.isDirectory()) dir = resolve(dir, '..');
  return async (name) => {
    try {
      return new Uint8Array(await readFile(join(dir, name)));
    } catch (error) {
      throw new LikewiseError('MODEL_FETCH', `Cannot read model file ${join(dir, name)}.`, error);
    }
  };
}
