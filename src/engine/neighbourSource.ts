/**
 * The one way scenarios read neighbours, so they work the same over a full
 * in-memory model, a sharded model fetched in the browser, a model learned
 * on the device, or a blend of those.
 */
import { LikewiseError } from '../errors';
import { compareIds } from './compareIds';
import type { Neighbours } from './types';

/** Items with scores, e.g. one item's neighbours (best first) or popularity. */
export interface RankedList {
  ids: readonly string[];
  scores: ArrayLike<number>;
}

/** Anything that can list an item's neighbours (best first), or say it has none. */
export interface NeighbourSource {
  neighbours(itemId: string): RankedList | undefined;
}

/**
 * Wraps an in-memory {@link Neighbours} model. The id index is built on the
 * first lookup, not at call time.
 *
 * @example similar(neighbourSource(buildNeighbours(log)), 'sku-1')
 */
export function neighbourSource(n: Neighbours): NeighbourSource {
  let index: Map<string, number> | undefined;
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
      const ids: string[] = new Array(b - a);
      for (let p = a; p < b; p++) ids[p - a] = n.itemIds[n.indices[p]];
      return { ids, scores: n.scores.subarray(a, b) };
    },
  };
}

/**
 * Blends the shop's model with one learned from the visitor's own events:
 * score = shop + weight * local, best first, ties by id. An item known to
 * only one source keeps that source's list (scaled for local).
 *
 * @param weight how much local co-occurrence counts against the shop's; default 0.5.
 * @example blendSources(shopSource, localNeighbourSource(events), 0.5)
 */
export function blendSources(
  shop: NeighbourSource,
  local: NeighbourSource,
  weight = 0.5,
): NeighbourSource {
  if (!(weight >= 0 && Number.isFinite(weight)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `weight must be a finite number >= 0, got ${String(weight)}`,
    );
  return {
    neighbours(itemId) {
      const a = shop.neighbours(itemId);
      const b = weight > 0 ? local.neighbours(itemId) : undefined;
      if (!b || b.ids.length === 0) return a;
      const merged = new Map<string, number>();
      if (a) for (let x = 0; x < a.ids.length; x++) merged.set(a.ids[x], a.scores[x]);
      for (let x = 0; x < b.ids.length; x++)
        merged.set(b.ids[x], (merged.get(b.ids[x]) ?? 0) + weight * b.scores[x]);
      merged.delete(itemId);
      const ids = [...merged.keys()].sort(
        (p, q) => merged.get(q)! - merged.get(p)! || compareIds(p, q),
      );
      return { ids, scores: Float64Array.from(ids, (id) => merged.get(id)!) };
    },
  };
}
