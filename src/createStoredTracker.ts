import type { LikewiseDeps, LikewiseOptions } from './createLikewise';
import { createEventStore } from './store/createEventStore';
import { createStateStore } from './store/createStateStore';
import { deleteSiteData } from './store/deleteSiteData';
import type { EventStore } from './store/types';
import { createTracker, type Tracker } from './track/createTracker';
import type { LikewiseEvent } from './types';

/**
 * The tracker of an instance on the site's stores (IndexedDB through the
 * page's `indexedDB`, else memory), or on the injected ones. Without a
 * window (server-side rendering) memory is the expected mode, not a
 * failure: nothing is reported.
 *
 * @returns the tracker, and `rewrite`: stores events again under their keys
 *   (measurement's stamped copies), after consent only
 */
export function createStoredTracker(
  options: LikewiseOptions,
  deps: LikewiseDeps,
  platform: {
    window: Window | undefined;
    now: () => number;
    randomId: () => string;
    report: (e: unknown) => void;
  },
): { tracker: Tracker; rewrite: (events: LikewiseEvent[]) => void } {
  let indexedDB = deps.indexedDB;
  try {
    // Reading `indexedDB` itself can throw in sandboxed frames.
    indexedDB ??= platform.window ? platform.window.indexedDB : null;
  } catch {}
  const store = { indexedDB };
  const makeEventStore = deps.createEventStore ?? ((o) => createEventStore(o, store));
  // The latest event store the tracker made.
  let eventStore: EventStore | undefined;
  const tracker = createTracker({
    ...options,
    ...platform,
    createEventStore: (o) => (eventStore = makeEventStore(o)),
    createStateStore: deps.createStateStore ?? ((o) => createStateStore(o, store)),
    deleteSiteData: deps.deleteSiteData ?? ((s, d) => deleteSiteData(s, { ...d, ...store })),
    hasIndexedDB: !!indexedDB,
  });
  return {
    tracker,
    rewrite(events) {
      if (tracker.consent === 'granted' && events.length) void eventStore?.append(events);
    },
  };
}
