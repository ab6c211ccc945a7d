/** On-device learning: neighbours from the visitor's own sessions. */
import type { LikewiseEvent } from '../types';
import { type BuildOptions, buildNeighbours } from './buildNeighbours';
import { eventsToLog } from './eventsToLog';
import { type NeighbourSource, neighbourSource } from './neighbourSource';

/**
 * Builds a {@link NeighbourSource} from local events (sessions as users),
 * to blend with the shop's model through `blendSources`. Cheap enough to
 * redo on every new event: a couple of thousand events take about a
 * millisecond, so no incremental bookkeeping is needed.
 *
 * @param options build options; default K = 20.
 * @example const source = blendSources(shop, localNeighbourSource(events));
 */
export function localNeighbourSource(
  events: readonly LikewiseEvent[],
  options: BuildOptions = {},
): NeighbourSource {
  return neighbourSource(buildNeighbours(eventsToLog(events), { k: 20, ...options }));
}
