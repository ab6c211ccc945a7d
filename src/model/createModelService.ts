/**
 * The heavy half of recommending in the browser: fetching and decoding model
 * shards and learning neighbours from the visitor's own events. It runs in a
 * Worker (`src/worker.ts`) or, where no Worker can start, lazily loaded on
 * the main thread; either way it answers in plain, transferable data.
 */
import { localNeighbourSource } from '../engine/localNeighbourSource';
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import type { LikewiseEvent } from '../types';
import { createModelLoader } from './createModelLoader';

/** Neighbour lists by item id: `[neighbour ids, scores]`, best first. */
export type WireLists = Record<string, [string[], number[]]>;

/** What the service answers. */
export interface ModelService {
  /** Similar and bought-together lists of the given items (only those the model has). */
  lists(itemIds: string[]): Promise<{ similar: WireLists; together: WireLists }>;
  /** The model's popularity list, best first. */
  popularity(): Promise<[string[], number[]]>;
  /** Neighbours learned from the visitor's own sessions, for every item in them. */
  train(events: LikewiseEvent[]): Promise<WireLists>;
  /** The configuration the model was tuned with (`train --tune`), if any. */
  config(): Promise<ModelConfig | undefined>;
}

type List = { ids: readonly string[]; scores: ArrayLike<number> };
const pair = (list: List): [string[], number[]] => [[...list.ids], Array.from(list.scores)];
/** Read with `Object.hasOwn`: an item may be called `constructor` or `__proto__`. */
const wire = (ids: readonly string[], get: (id: string) => List | undefined): WireLists => {
  const out: WireLists = Object.create(null);
  for (const id of ids) {
    const list = get(id);
    if (list) out[id] = pair(list);
  }
  return out;
};

/**
 * Creates the service for the model at `modelUrl` (absolute; no model: empty
 * lists, so every scenario falls back to what the device knows).
 *
 * @example const service = createModelService('https://shop.example/model/manifest.json')
 */
export function createModelService(
  modelUrl?: string,
  deps: { fetch?: typeof fetch } = {},
): ModelService {
  const loader = modelUrl ? createModelLoader(modelUrl, {}, deps) : undefined;
  return {
    async lists(itemIds) {
      const source = await loader?.neighbours(itemIds);
      return {
        similar: wire(itemIds, (id) => source?.neighbours(id)),
        together: wire(itemIds, (id) => source?.together.neighbours(id)),
      };
    },
    config: async () => (await loader?.manifest())?.config,
    popularity: async () => pair((await loader?.popularity()) ?? { ids: [], scores: [] }),
    async train(events) {
      if (!Array.isArray(events))
        throw new LikewiseError('INVALID_INPUT', 'train needs an array of events.');
      const local = localNeighbourSource(events);
      const ids = new Set<string>();
      for (const e of events) if (e.itemId) ids.add(e.itemId);
      return wire([...ids], (id) => local.neighbours(id));
    },
  };
}
