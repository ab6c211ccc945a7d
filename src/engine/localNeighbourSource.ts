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
 * blend can weigh it in proportion. Cheap enough to redo on every new
 * event: no incremental bookkeeping is needed.
 *
 * @example const source = blendSources(shop, localNeighbourSource(events));
 */
export function localNeighbourSource(
  events: readonly LikewiseEvent[],
  options: LocalOptions = {},
): NeighbourSource {
  const k = options.k ?? 20;
  const prior = options.prior ?? LOCAL_PRIOR;
  if (!(Number.isInteger(k) && k >= 1))
    throw new LikewiseError('INVALID_OPTION', `k must be a positive integer, got ${String(k)}`);
  if (!(prior > 0 && Number.isFinite(prior)))
    throw new LikewiseError(
      'INVALID_OPTION',
      `prior must be a finite number > 0, got ${String(prior)}`,
    );
  const log = eventsToLog(events);
  // Each session's distinct items, then each pair counted once per session.
  const sessions: Set<number>[] = Array.from({ length: log.userCount }, () => new Set());
  for (let r = 0; r < log.length; r++) sessions[log.users[r]].add(log.items[r]);
  const counts = new Map<number, Map<number, number>>();
  for (const session of sessions) {
    for (const i of session) {
      const row = counts.get(i) ?? new Map<number, number>();
      counts.set(i, row);
      for (const j of session) if (j !== i) row.set(j, (row.get(j) ?? 0) + 1);
    }
  }
  const lists = new Map<string, RankedList>();
  for (const [i, row] of counts) {
    const kept = [...row]
      .sort((p, q) => q[1] - p[1] || compareIds(log.itemIds[p[0]], log.itemIds[q[0]]))
      .slice(0, k);
    lists.set(log.itemIds[i], {
      ids: kept.map(([j]) => log.itemIds[j]),
      scores: Float64Array.from(kept, ([, s]) => s / (s + prior)),
    });
  }
  return { neighbours: (itemId) => lists.get(itemId) };
}
