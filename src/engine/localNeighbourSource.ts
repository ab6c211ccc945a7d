/** On-device learning: neighbours from the visitor's own sessions. */
import { LikewiseError } from '../errors';
import type { LikewiseEvent } from '../types';
import { compareIds } from './compareIds';
import { eventsToLog } from './eventsToLog';
import type { NeighbourSource, RankedList } from './neighbourSource';

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
  const log = eventsToLog(events);
  // Each session's distinct items, and the sessions of each item.
  const sessions: Set<number>[] = Array.from({ length: log.userCount }, () => new Set());
  for (let r = 0; r < log.length; r++) sessions[log.users[r]].add(log.items[r]);
  const index = new Map<string, number>();
  for (const [i, id] of log.itemIds.entries()) index.set(id, i);
  const met: number[][] = log.itemIds.map(() => []);
  sessions.forEach((items, s) => {
    for (const i of items) met[i].push(s);
  });
  const lists = new Map<number, RankedList>();
  return {
    neighbours(itemId) {
      const i = index.get(itemId);
      if (i === undefined) return undefined;
      let list = lists.get(i);
      if (!list) {
        const counts = new Map<number, number>();
        for (const s of met[i])
          for (const j of sessions[s]) if (j !== i) counts.set(j, (counts.get(j) ?? 0) + 1);
        const kept = [...counts]
          .sort((p, q) => q[1] - p[1] || compareIds(log.itemIds[p[0]], log.itemIds[q[0]]))
          .slice(0, k);
        list = {
          ids: kept.map(([j]) => log.itemIds[j]),
          scores: Float64Array.from(kept, ([, s]) => s / (s + prior)),
        };
        lists.set(i, list);
      }
      return list;
    },
  };
}
