/**
 * Joins the pieces into `lw.recommend()`: the visitor's events, the shop's
 * model (through the model service), neighbours learned on the device, the
 * catalogue and the business rules, for each scenario. Failures of the model
 * or the network are reported and the scenario falls back to trending, then
 * to what the device knows; a recommendation never names an item the
 * catalogue cannot show.
 */
import type { NeighbourSource, RankedList } from '../engine/neighbourSource';
import { blendUnchecked } from '../engine/neighbourSource';
// The unchecked scenarios: `checkRequest` checked the request in the core.
import {
  anchoredUnchecked,
  forYouUnchecked,
  type RecommendRules,
  recentlyViewedUnchecked,
  type ScoredItem,
  trendingUnchecked,
} from '../engine/recommend';
import type { ModelConfig } from '../engine/tune';
import type { LikewiseEvent, Recommendation, Scenario } from '../types';
import { anchorIds } from './anchorIds';
import type { RecommendRequest } from './checkRequest';
import type { Catalog } from './createCatalog';
import type { ModelService, WireLists } from './createModelReader';

export type { RecommendRequest } from './checkRequest';

const EMPTY: RankedList = { ids: [], scores: [] };

/**
 * The shop's lists kept start afresh, at the next change of the visitor's
 * events, once more items than this were asked about: a page asks about a
 * few dozen, and the loader keeps the shards they came from anyway.
 */
const KEPT_ITEMS = 256;

/** Item `id`'s list in `lists`: own keys only, so an item may be called `constructor` or `__proto__`. */
const ranked = (lists: WireLists, id: string): RankedList | undefined =>
  Object.hasOwn(lists, id) ? lists[id] : undefined;

/** Wire lists as a source that gives one list object per item for good. */
const sourceOf = (
  lists: WireLists,
  got = new Map<string, RankedList | undefined>(),
): NeighbourSource => ({
  neighbours: (id) => got.get(id) ?? got.set(id, ranked(lists, id)).get(id),
});

/** What the recommender needs from the instance. */
export interface RecommenderHost {
  events(): Promise<LikewiseEvent[]>;
  report(error: unknown): void;
}

/** Options of {@link createRecommender}. */
export interface RecommenderOptions {
  /** Exclude items the visitor bought; default true. */
  excludePurchased?: boolean;
}

/** A request to the {@link Recommender}: `reasons` from a widget that shows them (`RenderRequest`). */
type RecommenderRequest = RecommendRequest & { reasons?: boolean };

/**
 * `recommend(request, exclude?)` of one instance (`exclude`: ids other
 * widgets of the page already show, for page-level dedupe), and `warm()`,
 * which starts loading what every request needs (the catalogue, and the
 * model's popularity), so a widget does not fetch them one after another
 * once it is due.
 */
export type Recommender = ((
  request: RecommenderRequest,
  exclude?: Iterable<string>,
) => Promise<Recommendation[]>) & { warm(): void };

/** Creates the {@link Recommender} of one instance. */
export function createRecommender(
  host: RecommenderHost,
  catalog: Catalog,
  service: ModelService,
  options: RecommenderOptions = {},
): Recommender {
  let popularity: Promise<RankedList> | undefined;
  // The tuned history settings (train --tune), read once; none on failure.
  let tuned: Promise<ModelConfig | undefined> | undefined;
  // The shop's [similar, together] lists of each item a request named
  // (none: the model has no list), one object per list for good.
  let kept = new Map<string, (RankedList | undefined)[]>();
  // Per state of the visitor's events: the device's neighbours, the shop's
  // lists, and the sources built so far by type (a blend caches its merged
  // lists, the engine its work per source). A request keeps the state it
  // started with, so starting the lists afresh never takes one from under it.
  let trained:
    | [
        key: string,
        mine: Promise<NeighbourSource>,
        shop: typeof kept,
        sources: { [type: string]: NeighbourSource },
      ]
    | undefined;

  const popular = () => {
    popularity ??= service.popularity().catch((e: unknown) => {
      // Not cached: a model that was unreachable for a moment is tried again next time.
      popularity = undefined;
      host.report(e);
      return EMPTY;
    });
    return popularity;
  };

  const tunedConfig = () => {
    tuned ??= service.config().catch(() => undefined);
    return tuned;
  };

  const local = (events: LikewiseEvent[]) => {
    const key = `${events.length}:${events[events.length - 1]?.id}`;
    if (kept.size > KEPT_ITEMS) kept = new Map();
    if (trained?.[0] !== key)
      trained = [
        key,
        service
          .train(events)
          .then(sourceOf)
          .catch((e) => {
            host.report(e);
            return sourceOf({});
          }),
        kept,
        {},
      ];
    return trained;
  };

  /**
   * What the neighbour scenarios need besides the catalogue and popularity:
   * their anchors, the device's neighbours and the shop's lists of the
   * anchors. Asked for as soon as the events are read, so the shards are
   * fetched beside the catalogue and the popularity list, not after them.
   * Never rejects (failures are reported, and lists are missing).
   */
  const neighbours = async (
    type: Scenario,
    itemId: string | undefined,
    events: LikewiseEvent[],
  ) => {
    const anchors = anchorIds(type, itemId, events);
    const [, trainedMine, shop, sources] = local(events);
    const lacking = anchors.filter((id) => !shop.has(id));
    const [mine] = await Promise.all([
      trainedMine,
      // A failed answer is not kept: its items have no shop lists this time, and are asked again.
      lacking.length &&
        service.lists(lacking).then(({ similar, together }) => {
          for (const id of lacking)
            shop.has(id) || shop.set(id, [ranked(similar, id), ranked(together, id)]);
        }, host.report),
    ]);
    const lists = (k: number, only?: string[] | false): NeighbourSource => ({
      neighbours: (id) => (only && !only.includes(id) ? undefined : shop.get(id)?.[k]),
    });
    // for-you reads the shop's lists of its anchors only, those it asked for.
    sources[type] ??=
      type === 'bought-together'
        ? lists(1)
        : blendUnchecked(lists(0, type === 'for-you' && anchors), mine);
    return [anchors, sources[type]] as const;
  };

  const run = async (
    request: RecommenderRequest,
    exclude?: Iterable<string>,
  ): Promise<Recommendation[]> => {
    const { type, itemId } = request;
    const read = host.events();
    const [, events, pop, near, config] = await Promise.all([
      // A whole catalogue loads beside the rest; one served by id starts its part and manifest.
      catalog.entries([]),
      read,
      popular(),
      type !== 'trending' && type !== 'recently-viewed'
        ? read.then((events) => neighbours(type, itemId, events))
        : undefined,
      type === 'for-you' ? tunedConfig() : undefined,
    ]);
    const rules: RecommendRules & { currentItemId?: string } = {
      excludePurchased: options.excludePurchased,
      ...request.rules,
      limit: request.limit ?? 8,
      events,
      trending: pop,
      // The page's own item is never recommended on its page, whatever the scenario.
      exclude: [
        ...(request.rules?.exclude ?? []),
        ...(exclude ?? []),
        ...(request.itemId ? [request.itemId] : []),
      ],
      currentItemId: request.itemId,
    };
    const score = (rules: RecommendRules): ScoredItem[] => {
      if (!near)
        return type === 'trending'
          ? trendingUnchecked(pop, rules)
          : recentlyViewedUnchecked(events, rules);
      const [anchors, source] = near;
      // `similar`'s anchors are its item (anchorIds).
      return type === 'for-you'
        ? forYouUnchecked(source, events, { ...config, ...rules })
        : anchoredUnchecked(type === 'similar' ? type : 'together', source, anchors, rules);
    };
    // The items reasons name load only for a widget that shows reasons.
    const [items, scored] = await catalog.rank(score, rules, request.reasons);
    const out: Recommendation[] = [];
    // A custom `isKnown` rule could admit an id the catalogue cannot show: never return it.
    for (const s of scored) {
      const item = items.get(s.id);
      if (item) out.push({ ...s, item });
    }
    return out;
  };
  // Requests come checked (`checkRequest` by `lw.recommend`, `checkRender` by
  // `lw.render`): the check stays in the core, not in each part too.
  const recommend = run as Recommender;
  // Neither rejects: failures are reported, and the next request tries again.
  recommend.warm = () => void Promise.all([catalog.entries([]), popular()]).catch(host.report);
  return recommend;
}
