/**
 * The model as the page reads it: the shop's lists and popularity from the
 * model's files, without on-device learning, so a page that only shows the
 * shop's lists does not download the learning code (the widget part adds
 * it on demand: {@link ModelService}).
 */
import type { RankedList } from '../engine/neighbourSource';
import type { ModelConfig } from '../engine/tune';
import type { LikewiseEvent } from '../types';
import { createModelLoader } from './createModelLoader';
import type { Manifest } from './modelFormat';

/** Neighbour lists by item id, best first: `{ ids, scores }` as the engine reads them. */
export type WireLists = Record<string, RankedList>;

/** What {@link createModelReader} answers. */
export interface ModelReader {
  /** Similar and bought-together lists of the given items (only those the model has). */
  lists(itemIds: string[]): Promise<{ similar: WireLists; together: WireLists }>;
  /** The model's popularity list, best first. */
  popularity(): Promise<RankedList>;
  /** The configuration the model was tuned with (`train --tune`), if any. */
  config(): Promise<ModelConfig | undefined>;
}

/** What the recommender scores with: the model's lists, and what the visitor's own sessions teach. */
export interface ModelService extends ModelReader {
  /** Neighbours learned from the visitor's own sessions, for every item in them (`trainLocally`). */
  train(events: LikewiseEvent[]): Promise<WireLists>;
}

/** The reader on the page: also the model's manifest, which the catalogue reads too. */
export interface PageModelReader extends ModelReader {
  /** The checked manifest, fetched once (none without a model); rejects as the model does. */
  manifest(): Promise<Manifest> | undefined;
}

/**
 * Lists of `ids` as plain data: the lists themselves, which no reader
 * changes. Read with `Object.hasOwn`: an item may be called `constructor`
 * or `__proto__`.
 */
export const wire = (
  ids: readonly string[],
  get: (id: string) => RankedList | undefined,
): WireLists => {
  const out: WireLists = Object.create(null);
  for (const id of ids) {
    const list = get(id);
    if (list) out[id] = list;
  }
  return out;
};

/**
 * Creates the reader for the model at `modelUrl` (absolute; no model: empty
 * lists, so every scenario falls back to what the device knows).
 *
 * @example const reader = createModelReader('https://shop.example/model/manifest.json')
 */
export function createModelReader(
  modelUrl?: string,
  deps: { fetch?: typeof fetch } = {},
): PageModelReader {
  const loader = modelUrl ? createModelLoader(modelUrl, {}, deps) : undefined;
  return {
    async lists(itemIds) {
      const source = await loader?.neighbours(itemIds);
      return {
        similar: wire(itemIds, (id) => source?.neighbours(id)),
        together: wire(itemIds, (id) => source?.together.neighbours(id)),
      };
    },
    popularity: async () => (await loader?.popularity()) ?? { ids: [], scores: [] },
    manifest: () => loader?.manifest(),
    config: async () => (await loader?.manifest())?.config,
  };
}
