/** Popularity per item: the "trending" scenario and every scenario's fallback. */
import type { EventType } from '../types';
import type { InteractionLog } from './types';
import { buildUserItemMatrix } from './userItemMatrix';

/** Options of {@link buildPopularity}. */
export interface PopularityOptions {
  /** A user's interest in an item halves every this many days before `now`. Default: no decay. */
  halfLifeDays?: number;
  /** Reference time (ms) for the decay. Default: the latest event of the log. */
  now?: number;
  /** Weight per event type (see `DEFAULT_WEIGHTS`); given, each user adds their strongest weighted signal. */
  weights?: Partial<Record<EventType, number>>;
}

/**
 * Popularity of every item (by item index of `log.itemIds`). With neither
 * `halfLifeDays` nor `weights`: the number of distinct users with a counted
 * event (view, click, add_to_cart, purchase). With `halfLifeDays`: each user
 * adds `0.5 ^ (age of their latest event with the item / halfLifeDays)`, so
 * what is popular now beats what was popular last year (trending).
 *
 * @example const pop = buildPopularity(log, { halfLifeDays: 7 });
 */
export function buildPopularity(
  log: InteractionLog,
  options: PopularityOptions = {},
): Float32Array {
  const m = buildUserItemMatrix(log, {
    binary: options.weights === undefined,
    weights: options.weights,
    halfLifeDays: options.halfLifeDays,
    now: options.now,
  });
  const out = new Float32Array(log.itemIds.length);
  for (let i = 0; i < out.length; i++) {
    let s = 0;
    for (let p = m.itemOffsets[i]; p < m.itemOffsets[i + 1]; p++) s += m.itemValues[p];
    out[i] = s;
  }
  return out;
}
