/** Popularity per item: the "trending" scenario and every scenario's fallback. */
import type { EventType } from '../types';
import type { InteractionLog } from './types';
import { itemTotals, type UserRows } from './userItemMatrix';

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
 * @param rows - The log's counted rows already grouped by user (see
 *   `groupRowsByUser`), to share that pass with a neighbour build. Default: grouped here.
 * @example const pop = buildPopularity(log, { halfLifeDays: 7 });
 */
export function buildPopularity(
  log: InteractionLog,
  options: PopularityOptions = {},
  rows?: UserRows,
): Float32Array {
  const totals = itemTotals(
    log,
    {
      binary: options.weights === undefined,
      weights: options.weights,
      halfLifeDays: options.halfLifeDays,
      now: options.now,
    },
    rows,
  );
  return Float32Array.from(totals);
}
