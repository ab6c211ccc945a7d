/**
 * The one way scenarios read neighbours, so they work the same over a full
 * in-memory model, a sharded model fetched in the browser, a model learned
 * on the device, or a blend of those.
 */
import { LikewiseError } from '../errors';
import { compareIds } from './compareIds';
import type { Neighbours } from './types';

/**
 * Items with scores, e.g. one item's neighbours (best first) or popularity.
 * A list never changes once returned: scenarios number a list's ids once and
 * reuse that while the same `ids` array comes back.
 */
export interface RankedList {
  ids: readonly string[];
  scores: ArrayLike<number>;
}

/**
 * Anything that can list an item's neighbours (best first), or say it has
 * none. Returning the same list object again for the same item (a cache)
 * lets scenarios reuse the work done on it.
 */
export interface NeighbourSource {
  neighbours(itemId: string): RankedList | undefined;
}

/**
 * Wraps an in-memory {@link Neighbours} model. The id index is built on the
 * first lookup, not at call time; each item's list is built once.
 *
 * @example similar(neighbourSource(buildNeighbours(log)), 'sku-1')
 */
export function neighbourSource(n: Neighbours): NeighbourSource {
  let index: Map<string, number> | undefined;
  const lists: RankedList[] = [];
  return {
    neighbours(itemId) {
      if (!index) {
        index = new Map();
        for (let i = 0; i < n.itemIds.length; i++) index.set(n.itemIds[i], i);
      }
      const i = index.get(itemId);
      if (i === undefined) return undefined;
      const a = n.offsets[i];
      const b = n.offsets[i + 1];
      lists[i] ??= {
        ids: Array.from(n.indices.subarray(a, b), (j) => n.itemIds[j]),
        scores: n.scores.subarray(a, b),
      };
      return lists[i];
    },
  };
}

/** How much full-strength local evidence counts against the shop's best neighbour (see {@link blendSources}). */
export const DEFAULT_LOCAL_WEIGHT = 0.5;

/**
 * Blends the shop's model with one learned from the visitor's own events,
 * in proportion to the strength of the local evidence: score = shop +
 * weight × local × top, where local is the strength of the visitor's
 * co-views (from 0 towards 1, see `localNeighbourSource`) and top the
 * item's best shop score (1 when the shop has no list for it). So local
 * evidence is measured in the shop's own units and adds at most `weight`
 * times the shop's best neighbour: one browsing path cannot push aside
 * what thousands of visitors showed, and an item the shop does not know
 * yet gets the local list alone. Best first, ties by id. A blend is
 * computed once per pair of lists the two sources return.
 *
 * @param weight how much full-strength local evidence counts against the shop's best neighbour; default 0.5.
 * @example blendSources(shopSource, localNeighbourSource(events), 0.5)
 */
export function blendSources(
  shop: NeighbourSource,
  local: NeighbourSource,
  weight: number = DEFAULT_LOCAL_WEIGHT,
): NeighbourSource {
  checkLocalWeight(weight);
  return blendUnchecked(shop, local, weight);
}

/**
 * {@link blendSources} without the check of `weight`, for callers whose
 * weight is known good (the widget part blends with the default), so the
 * widget file carries no check that cannot fail.
 */
export function blendUnchecked(
  shop: NeighbourSource,
  local: NeighbourSource,
  weight: number = DEFAULT_LOCAL_WEIGHT,
): NeighbourSource {
  const blends = new Map<string, [RankedList | undefined, RankedList, RankedList]>();
  return {
    neighbours(itemId) {
      const a = shop.neighbours(itemId);
      const b = weight > 0 ? local.neighbours(itemId) : undefined;
      if (!b || b.ids.length === 0) return a;
      const hit = blends.get(itemId);
      if (hit && hit[0] === a && hit[1] === b) return hit[2];
      const merged = new Map<string, number>();
      const add = (list: RankedList, w: number): void => {
        for (let x = 0; x < list.ids.length; x++)
          merged.set(list.ids[x], (merged.get(list.ids[x]) ?? 0) + w * list.scores[x]);
      };
      if (a) add(a, 1);
      // In the shop's units: its best score (1 when it has no list).
      add(b, weight * (a?.scores[0] || 1));
      merged.delete(itemId);
      const entries = [...merged].sort((p, q) => q[1] - p[1] || compareIds(p[0], q[0]));
      const list = {
        ids: entries.map((e) => e[0]),
        scores: new Float64Array(entries.map((e) => e[1])),
      };
      blends.set(itemId, [a, b, list]);
      return list;
    },
  };
}

/** Throws `INVALID_OPTION` unless `weight` is a weight {@link blendSources} takes. */
export function checkLocalWeight(weight: number): void {
  if (!(weight >= 0 && Number.isFinite(weight)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `weight must be a finite number >= 0, got ${String(weight)}`,
    );
}
