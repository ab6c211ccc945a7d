// The on-demand parts as the npm entry loads them, for tests that build an
// instance from src/createLikewise or hold one part back.
import type { LikewiseParts } from '../../src/createLikewise';

const PARTS: { [K in keyof LikewiseParts]: () => Promise<LikewiseParts[K]> } = {
  widgets: () => import('../../src/widgetParts'),
  containers: () => import('../../src/observeWidgets'),
  learn: () => import('../../src/model/trainLocally'),
  measure: () => import('../../src/metrics/startMetrics'),
  extras: () => import('../../src/extras'),
  autoTrack: () => import('../../src/track/autoTrack'),
  workerClient: () => import('../../src/model/createModelClient'),
  erase: () => import('../../src/store/erase'),
  observe: () => import('../../src/observePage'),
};

/**
 * Loads a part; those named in `held` wait for `until` first.
 * @example createLikewise(options, { load: loadPart })
 */
export const loadPart = <K extends keyof LikewiseParts>(
  name: K,
  held: Partial<Record<keyof LikewiseParts, Promise<unknown>>> = {},
): Promise<LikewiseParts[K]> => (held[name] ?? Promise.resolve()).then(PARTS[name]);

/** The `erase` part, as an instance passes it to its stores (`StoreDeps.erase`). */
export const erase = () => loadPart('erase');
