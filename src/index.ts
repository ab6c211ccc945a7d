// The public API of the npm package: everything a shop imports is listed
// here, by name. Nothing runs at import.
import { createLikewise as create, type Likewise, type LikewiseOptions } from './createLikewise';
import type { LikewiseParts } from './createPartLoader';
import { type BuildOptions, buildNeighbours as neighbours } from './engine/buildNeighbours';
import { type PopularityOptions, buildPopularity as popularity } from './engine/buildPopularity';
import type { InteractionLog, Neighbours } from './engine/types';
import { importPart } from './importPart';
import { observeLater } from './observeLater';
import { noPreload } from './shared/noPreload';
import type { AutoTrackOptions, Tracks } from './track/autoTrack';

// Each part a chunk of its own that the shop's bundler splits off, with no
// module-preload helper from Vite (src/importPart.ts).
const load = <K extends keyof LikewiseParts>(name: K) => importPart(name, noPreload);

/**
 * Creates a likewise instance for one site: tracking, storage,
 * recommendations, widgets and measurement. Nothing is opened or fetched
 * until it is needed, and never before consent. Where there is no window
 * (server-side rendering), it works in memory and reports nothing.
 *
 * @param options - see {@link LikewiseOptions}; misuse throws `INVALID_OPTION` at once.
 * @example
 * import { createLikewise } from 'likewise';
 * const lw = createLikewise({ site: 'my-shop', catalog: '/catalog.json', model: '/model/manifest.json' });
 * lw.track({ type: 'view', itemId: 'sku-1' });
 * const el = document.querySelector<HTMLElement>('#recs');
 * if (el) lw.render(el, { type: 'similar', itemId: 'sku-1' }); // returns its cleanup
 */
export function createLikewise(options: LikewiseOptions): Likewise {
  return create(options, { load, observePage: observeLater(load) });
}

export type { ConsentState, Likewise, LikewiseOptions } from './createLikewise';
export type { BuildOptions, Similarity } from './engine/buildNeighbours';
export { mergeNeighbours } from './engine/buildNeighbours';
export type { PopularityOptions } from './engine/buildPopularity';

export type { DenseSimilarityOptions } from './engine/denseSimilarity';
export { denseSimilarity } from './engine/denseSimilarity';
export type {
  EvaluateModel,
  EvaluateOptions,
  Evaluation,
  ModelMetrics,
  ScoreOptions,
} from './engine/evaluate';
export { evaluate } from './engine/evaluate';
export { eventsToLog } from './engine/eventsToLog';
export type { LocalOptions } from './engine/localNeighbourSource';
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
export type { UserItemMatrixOptions } from './engine/userItemMatrix';
export type { LikewiseErrorCode } from './errors';
export { isLikewiseError, LikewiseError } from './errors';
export type { ExperimentOptions } from './metrics/assignGroup';
export type {
  Affinity,
  BehaviourSegment,
  Pace,
  PriceBand,
  PriceProfile,
  Profile,
} from './metrics/computeProfile';
export type { GroupTotals, Report, ReportGroup, WidgetStats } from './metrics/computeReport';
export type { CatalogLookup } from './model/createCatalog';
export type { RecommendRequest } from './model/createRecommender';
export { safeUrl } from './shared/safeUrl';
export type { StorageMode } from './store/types';
export type { AutoTrackOptions, Tracks } from './track/autoTrack';
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
export type { PrivacyTranslations } from './widgets/privacyPanel';
export type {
  LoadTexts,
  RenderDeps,
  RenderOptions,
  RenderPart,
  RenderRequest,
  RenderTranslations,
} from './widgets/render';
export { render } from './widgets/render';

// The engine's builds take a third argument, a grouping of the log's rows that
// the CLI shares between builds; shops have no way to make one, so the public
// signatures leave it out.

/**
 * Builds the top-K neighbour lists of every item (or of `options.rows`).
 * Lists are sorted by score descending, ties by item id ascending; an item is
 * never its own neighbour. `itemIds` of the result is `log.itemIds` itself.
 *
 * @param log - interactions, e.g. from {@link eventsToLog}.
 * @param options - similarity, neighbourhood size and interaction weighting;
 *   defaults: cosine, K = 50, type weights view 1 / click 2 / add_to_cart 4 /
 *   purchase 8, no shrinkage, no recency decay.
 * @example
 * const source = neighbourSource(buildNeighbours(eventsToLog(events), { k: 100 }));
 */
export const buildNeighbours: (log: InteractionLog, options?: BuildOptions) => Neighbours =
  neighbours;

/**
 * Popularity of every item (by item index of `log.itemIds`): the number of
 * distinct users with a counted event (view, click, add_to_cart, purchase), or
 * with `halfLifeDays`, each user's latest event with the item halved every
 * `halfLifeDays` (trending).
 *
 * @example const pop = buildPopularity(log, { halfLifeDays: 7 });
 */
export const buildPopularity: (log: InteractionLog, options?: PopularityOptions) => Float32Array =
  popularity;

/**
 * Tracks what the page shows by itself into `lw` (product views from JSON-LD
 * and `data-likewise-view`, item clicks, cart buttons, order confirmations,
 * searches; see `autoTrack` in src/track/autoTrack.ts), as the `autoTrack`
 * option of `createLikewise` does. Its code is a chunk of its own, which a
 * storefront that does not auto-track never loads: it starts once that chunk
 * has loaded (a failure to load goes to `onError`).
 *
 * @returns a cleanup, which also stops a start still on its way
 * @example const stop = autoTrack(lw, document, { onItem: (item) => console.log(item) })
 */
export function autoTrack(
  lw: Tracks,
  root?: Document | Element,
  options?: AutoTrackOptions,
): () => void {
  let stop: (() => void) | undefined;
  let live = true;
  load('autoTrack').then(
    (m) => {
      if (live) stop = m.autoTrack(lw, root, options);
    },
    (e) => options?.onError?.(e),
  );
  return () => {
    live = false;
    stop?.();
  };
}
