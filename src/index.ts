// The public API of the npm package: everything a shop imports is listed
// here, by name. Nothing runs at import.
import {
  createLikewise as create,
  type Likewise,
  type LikewiseDeps,
  type LikewiseOptions,
} from './createLikewise';

/**
 * Creates a likewise instance for one site: tracking, storage,
 * recommendations, widgets and measurement. Nothing is opened or fetched
 * until it is needed, and never before consent.
 *
 * @param options - see {@link LikewiseOptions}; misuse throws `INVALID_OPTION` at once.
 * @param deps - injectable platform pieces (tests).
 * @example
 * import { createLikewise } from 'likewise';
 * const lw = createLikewise({ site: 'my-shop', catalog: '/catalog.json', model: '/model/manifest.json' });
 * lw.track({ type: 'view', itemId: 'sku-1' });
 * const stop = lw.render(document.querySelector('#recs'), { type: 'similar', itemId: 'sku-1' });
 */
export function createLikewise(options: LikewiseOptions, deps: LikewiseDeps = {}): Likewise {
  return create(options, {
    loadExtras: () => import('./extras'),
    loadCatalog: () => import('./model/createCatalogPart'),
    ...deps,
  });
}

export type {
  ConsentState,
  Likewise,
  LikewiseContext,
  LikewiseDeps,
  LikewiseOptions,
} from './createLikewise';
export type { BuildOptions, Similarity } from './engine/buildNeighbours';
export { buildNeighbours, mergeNeighbours } from './engine/buildNeighbours';
export type { PopularityOptions } from './engine/buildPopularity';
export { buildPopularity } from './engine/buildPopularity';
export type { DenseSimilarityOptions } from './engine/denseSimilarity';
export { denseSimilarity } from './engine/denseSimilarity';
export type { EvaluateOptions, Evaluation, ModelMetrics } from './engine/evaluate';
export { evaluate } from './engine/evaluate';
export { eventsToLog } from './engine/eventsToLog';
export { localNeighbourSource } from './engine/localNeighbourSource';
export type { NeighbourSource, RankedList } from './engine/neighbourSource';
export { blendSources, neighbourSource } from './engine/neighbourSource';
export type { ForYouOptions, RecommendRules, ScoredItem, VisitorState } from './engine/recommend';
export {
  boughtTogether,
  forYou,
  recentlyViewed,
  similar,
  trending,
  visitorState,
} from './engine/recommend';
export type { InteractionLog, Neighbours } from './engine/types';
export type { LikewiseErrorCode } from './errors';
export { isLikewiseError, LikewiseError } from './errors';
export type { ExperimentOptions } from './metrics/assignGroup';
export type { Profile } from './metrics/computeProfile';
export type { Report } from './metrics/computeReport';
export type { CatalogLookup } from './model/createCatalog';
export type { RecommendRequest } from './model/createRecommender';
export { autoTrack } from './track/autoTrack';
export type {
  CatalogItem,
  EventType,
  ItemAggregate,
  LikewiseEvent,
  LineItem,
  Reason,
  Recommendation,
  Scenario,
  TrackInput,
} from './types';
export type { RenderOptions } from './widgets/render';
export { render } from './widgets/render';
export { safeUrl } from './widgets/safeUrl';
