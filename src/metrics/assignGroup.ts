import { LikewiseError } from '../errors';
import { fnv1aUtf16 } from '../shared/fnv1aUtf16';
import type { Scenario } from '../types';

/** A visitor's experiment group. */
export type ExperimentGroup = 'treatment' | 'holdout';

/** The `experiment` option of `createLikewise`. */
export interface ExperimentOptions {
  /** Share of visitors in the holdout (control) group, from 0 to 1 (0.1 = 10 %). */
  holdout: number;
  /**
   * What holdout visitors see in personalised widgets: `trending` (default)
   * or `none` (the widget stays empty).
   */
  control?: 'trending' | 'none';
  /**
   * Changes the split without changing visitor ids: a new salt reshuffles
   * everyone (start a fresh experiment). Default `''`.
   */
  salt?: string;
}

/**
 * A 32-bit hash of a string: FNV-1a over UTF-16 code units, then
 * MurmurHash3's finaliser so that ids differing only in their last
 * character still land far apart. Not cryptographic: only for splitting.
 */
export function hash32(text: string): number {
  let h = fnv1aUtf16(text);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * Puts a visitor in the treatment or the holdout group, deterministically
 * from their anonymous id: `hash32(salt + ':' + visitorId) / 2^32 < holdout`
 * means holdout. The same id always gets the same group (after reloads, in
 * every tab), with no state to store, and about `holdout` of all ids land in
 * the holdout.
 *
 * @param visitorId - The anonymous visitor id (non-empty).
 * @param experiment - See {@link ExperimentOptions}; without it everyone is `treatment`.
 * @returns `'treatment'` or `'holdout'`.
 * @throws LikewiseError `INVALID_OPTION` when `holdout` is not a number from 0 to 1,
 *   `INVALID_INPUT` when `visitorId` is empty.
 * @example
 * const group = assignGroup(anonId, { holdout: 0.1 }); // 'treatment' for ~90 % of visitors
 */
export function assignGroup(visitorId: string, experiment?: ExperimentOptions): ExperimentGroup {
  if (typeof visitorId !== 'string' || visitorId === '') {
    throw new LikewiseError('INVALID_INPUT', 'assignGroup: visitorId must be a non-empty string.');
  }
  if (experiment === undefined) return 'treatment';
  const share = experiment.holdout;
  if (typeof share !== 'number' || !(share >= 0 && share <= 1)) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `experiment.holdout must be a number from 0 to 1 (got ${String(share)}).`,
    );
  }
  if (
    experiment.control !== undefined &&
    experiment.control !== 'trending' &&
    experiment.control !== 'none'
  ) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `experiment.control must be 'trending' or 'none' (got ${String(experiment.control)}).`,
    );
  }
  return hash32(`${experiment.salt ?? ''}:${visitorId}`) / 4294967296 < share
    ? 'holdout'
    : 'treatment';
}

/**
 * The scenario a widget should actually serve for a visitor of `group`:
 * treatment gets the configured scenario; holdout gets `trending` (or `null`
 * = render nothing, when `control` is `'none'`). A `trending` widget is the
 * same for everyone. Events of the widget keep the *configured* scenario.
 *
 * @example
 * const served = servedScenario('for-you', 'holdout', { holdout: 0.1 }); // 'trending'
 */
export function servedScenario(
  scenario: Scenario,
  group: ExperimentGroup,
  experiment?: ExperimentOptions,
): Scenario | null {
  if (group === 'treatment' || scenario === 'trending') return scenario;
  return experiment?.control === 'none' ? null : 'trending';
}
