/** On-device learning: neighbours from the visitor's own sessions. */
import { LikewiseError } from '../errors';
import type { LikewiseEvent } from '../types';
import { compareIds } from './compareIds';
import type { NeighbourSource, RankedList } from './neighbourSource';
import { EVENT_TYPE_CODES } from './types';

/**
 * How many sessions of co-views local evidence is worth half its full
 * weight at: one visitor's single browsing path (one session) is weak
 * evidence that two items are alike, the same pair in many sessions is not.
 */
export const LOCAL_PRIOR = 4;

/** Neighbours {@link localNeighbourSource} keeps per item by default. */
export const DEFAULT_LOCAL_K = 20;

/** Options of {@link localNeighbourSource}. */
export interface LocalOptions {
  /** Neighbours kept per item. Default 20. */
  k?: number;
  /** Sessions of co-views at which the strength is 1/2 (see {@link LOCAL_PRIOR}). Default 4. */
  prior?: number;
}

/**
 * Builds a {@link NeighbourSource} from local events (sessions as users),
 * to blend with the shop's model through `blendSources`. The score of j
 * for i is the strength of the evidence, `s / (s + prior)` with s the
 * number of sessions in which the visitor met both: from 0 towards 1, so a
 * blend can weigh it in proportion. An item's list is counted when it is
 * first asked for (a page asks about a few items, a visitor may have met
 * hundreds), then kept.
 *
 * @example const source = blendSources(shop, localNeighbourSource(events));
 */
export function localNeighbourSource(
  events: readonly LikewiseEvent[],
  options: LocalOptions = {},
): NeighbourSource {
  const k = options.k ?? DEFAULT_LOCAL_K;
  const prior = options.prior ?? LOCAL_PRIOR;
  if (!(Number.isInteger(k) && k >= 1))
    throw new LikewiseError('INVALID_OPTION', `k must be a positive integer, got ${String(k)}`);
  if (!(prior > 0 && Number.isFinite(prior)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `prior must be a finite number > 0, got ${String(prior)}`,
    );
  return learnLocally(events, k, prior);
}

/**
 * {@link localNeighbourSource} without the checks of `k` and `prior`, for
 * callers that pass the defaults (the widget part learns with them), so the
 * widget file carries no check that cannot fail.
 */
export function learnLocally(
  events: readonly LikewiseEvent[],
  k: number = DEFAULT_LOCAL_K,
  prior: number = LOCAL_PRIOR,
): NeighbourSource {
  // Each session's distinct items (a session is one shopping intent: the
  // co-occurrence unit on the device), and the sessions each item is in.
  const sessions = new Map<string, Set<string>>();
  const met = new Map<string, Set<string>[]>();
  for (const e of events) {
    if (!EVENT_TYPE_CODES.includes(e.type)) continue;
    const items = sessions.get(e.session) ?? new Set<string>();
    sessions.set(e.session, items);
    for (const id of [e.itemId, ...(e.items ?? []).map((l) => l.itemId)]) {
      if (id === undefined || items.has(id)) continue;
      items.add(id);
      met.get(id)?.push(items) ?? met.set(id, [items]);
    }
  }
  const lists = new Map<string, RankedList>();
  return {
    neighbours(itemId) {
      const inSessions = met.get(itemId);
      if (!inSessions) return undefined;
      let list = lists.get(itemId);
      if (!list) {
        const counts = new Map<string, number>();
        for (const items of inSessions)
          for (const j of items) if (j !== itemId) counts.set(j, (counts.get(j) ?? 0) + 1);
        const kept = [...counts].sort((p, q) => q[1] - p[1] || compareIds(p[0], q[0])).slice(0, k);
        list = {
          ids: kept.map(([j]) => j),
          scores: Float64Array.from(kept, ([, s]) => s / (s + prior)),
        };
        lists.set(itemId, list);
      }
      return list;
    },
  };
}
