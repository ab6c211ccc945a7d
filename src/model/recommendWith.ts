/**
 * One recommendation from a model already in memory, composed exactly as
 * the browser's `recommend()` composes it (the shop's lists of the anchors,
 * blended with what the visitor's own sessions show, then the scenario
 * with the business rules), but synchronous: for Node, where the whole
 * model is loaded once and many users are scored in a row.
 */
import { localNeighbourSource } from '../engine/localNeighbourSource';
import {
  blendSources,
  checkLocalWeight,
  type NeighbourSource,
  type RankedList,
} from '../engine/neighbourSource';
import {
  boughtTogether,
  forYou,
  type RecommendRules,
  type ScoredItem,
  similar,
} from '../engine/recommend';
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import type { CatalogItem, LikewiseEvent } from '../types';
import { anchorIds } from './anchorIds';
import { hasCoViews } from './hasCoViews';

/** The parts of a loaded model that scoring reads. */
export interface LoadedModel {
  similar: NeighbourSource;
  together: NeighbourSource;
  popularity: RankedList;
  /** The tuned configuration from the manifest (`train --tune`), if any. */
  config?: ModelConfig;
}

/** The scenarios a model answers outside the browser. */
export type ModelScenario = 'for-you' | 'similar' | 'bought-together';

/** One request to {@link recommendWith}. */
export interface ModelRequest {
  type: ModelScenario;
  /** The user's events (oldest first), as the SDK stores them. */
  events?: readonly LikewiseEvent[];
  /** The item of `similar` (required) and `bought-together` (default: the cart). */
  itemId?: string;
  /** Items returned at most. Default 8, as in the browser. */
  limit?: number;
  /** Business rules, as `recommend()` takes them. */
  rules?: Omit<RecommendRules, 'limit' | 'events' | 'catalog' | 'trending'>;
  /** Only items of this catalogue are returned. Default: every item of the model. */
  catalog?: ReadonlyMap<string, CatalogItem>;
  /** Weight of the visitor's own co-views (see `blendSources`). Default 0.5. */
  localWeight?: number;
  /** Exclude items the user bought. Default true. */
  excludePurchased?: boolean;
}

const SCENARIOS: readonly ModelScenario[] = ['for-you', 'similar', 'bought-together'];

/**
 * Scores one request against a loaded model, the same way the browser's
 * `recommend()` does for the same events and model files.
 *
 * @example recommendWith(model, { type: 'for-you', events, limit: 10 })
 */
export function recommendWith(model: LoadedModel, request: ModelRequest): ScoredItem[] {
  const { type, itemId } = request;
  if (!SCENARIOS.includes(type))
    throw new LikewiseError(
      'INVALID_OPTION',
      `recommend: unknown type ${JSON.stringify(type)}; expected one of ${SCENARIOS.join(', ')}`,
    );
  if (type === 'similar' && (typeof itemId !== 'string' || !itemId))
    throw new LikewiseError('INVALID_OPTION', 'recommend: "similar" needs an itemId');
  const events = request.events ?? [];
  const anchors = anchorIds(type, itemId, events);
  const rules: RecommendRules & { currentItemId?: string } = {
    excludePurchased: request.excludePurchased,
    ...request.rules,
    limit: request.limit ?? 8,
    events,
    catalog: request.catalog,
    trending: model.popularity,
    exclude: [...(request.rules?.exclude ?? []), ...(itemId ? [itemId] : [])],
  };
  let scored: ScoredItem[];
  if (type === 'bought-together') scored = boughtTogether(model.together, anchors, rules);
  else {
    if (request.localWeight !== undefined) checkLocalWeight(request.localWeight);
    const state = sources(model);
    state.busy = true;
    try {
      // for-you reads the shop's lists of its anchors only, as in the browser.
      state.only = type === 'for-you' ? new Set(anchors) : undefined;
      let source = state.shop;
      // A history where no session met two items teaches nothing: every
      // local list is empty and the blend is the shop's lists.
      if (request.localWeight !== 0 && hasCoViews(events)) {
        // The browser learns only from events that name one item (see the model service).
        const mine = localNeighbourSource(events);
        const named = new Set<string>();
        for (const e of events) if (e.itemId) named.add(e.itemId);
        const local: NeighbourSource = {
          neighbours: (id) => (named.has(id) ? mine.neighbours(id) : undefined),
        };
        state.blend = blendSources(state.shop, local, request.localWeight);
        source = state.learned;
      }
      const config = model.config;
      scored =
        type === 'similar'
          ? similar(source, itemId!, rules)
          : forYou(source, events, {
              ...rules,
              ...(config
                ? { recencyHalfLife: config.recencyHalfLife, weights: config.weights }
                : {}),
            });
    } finally {
      state.busy = false;
      state.blend = undefined;
    }
  }
  const catalog = request.catalog;
  return catalog ? scored.filter((s) => catalog.has(s.id)) : scored;
}

/**
 * The sources one model scores through, kept from call to call: scenarios
 * keep their scratch (list numbering, score arrays) per source object, so
 * scoring many users in a row through the same objects allocates per user
 * only what that user's history needs.
 */
interface Sources {
  /** In a call (a rule's callback may score again: that call gets its own). */
  busy: boolean;
  /** The anchors whose shop lists for-you reads; undefined: every item's. */
  only: Set<string> | undefined;
  /** The current call's blend with the user's own co-views. */
  blend: NeighbourSource | undefined;
  shop: NeighbourSource;
  learned: NeighbourSource;
}

let kept: WeakMap<LoadedModel, Sources> | undefined;

function sources(model: LoadedModel): Sources {
  kept ??= new WeakMap();
  const hit = kept.get(model);
  if (hit && !hit.busy) return hit;
  const state: Sources = {
    busy: false,
    only: undefined,
    blend: undefined,
    shop: {
      neighbours: (id) =>
        state.only && !state.only.has(id) ? undefined : model.similar.neighbours(id),
    },
    learned: { neighbours: (id) => state.blend?.neighbours(id) },
  };
  if (!hit) kept.set(model, state);
  return state;
}
