import { createModelReader, type ModelService } from '../../src/model/createModelReader';
import { trainLocally } from '../../src/model/trainLocally';

/**
 * The model service the widget part builds (src/startWidgets.ts): the
 * model's reader, and on-device learning, here imported at once rather than
 * loaded on demand.
 */
export const modelService = (
  modelUrl?: string,
  deps: { fetch?: typeof fetch } = {},
): ModelService => ({
  ...createModelReader(modelUrl, deps),
  train: async (events) => trainLocally(events),
});
