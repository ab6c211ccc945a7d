/**
 * The heavy half of recommending in the browser: fetching and decoding model
 * shards and learning neighbours from the visitor's own events. The opt-in
 * Worker (`src/worker.ts`) runs it whole; the main thread uses its read half
 * (`createModelReader`) and loads the learning on demand. Either way it
 * answers in plain, transferable data.
 */
import { LikewiseError } from '../errors';
import type { LikewiseEvent } from '../types';
import { createModelReader, type ModelReader, type WireLists } from './createModelReader';
import { trainLocally } from './trainLocally';

export type { WireLists } from './createModelReader';

/** What the service answers. */
export interface ModelService extends ModelReader {
  /** Neighbours learned from the visitor's own sessions, for every item in them. */
  train(events: LikewiseEvent[]): Promise<WireLists>;
}

/**
 * Creates the service for the model at `modelUrl` (absolute; no model: empty
 * lists, so every scenario falls back to what the device knows). `train`
 * rejects with `INVALID_INPUT` (`train needs an array of events.`) on
 * anything but an array: the Worker takes it from a message.
 *
 * @example const service = createModelService('https://shop.example/model/manifest.json')
 */
export function createModelService(
  modelUrl?: string,
  deps: { fetch?: typeof fetch } = {},
): ModelService {
  return {
    ...createModelReader(modelUrl, deps),
    train: async (events) => {
      if (!Array.isArray(events))
        throw new LikewiseError('INVALID_INPUT', 'train needs an array of events.');
      return trainLocally(events);
    },
  };
}
