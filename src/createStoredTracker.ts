import type { LikewiseDeps, LikewiseOptions } from './createLikewise';
import type { PartLoader } from './createPartLoader';
import { connections } from './store/connections';
import { failure } from './store/createConnection';
import { createEventStore } from './store/createEventStore';
import { createStateStore } from './store/createStateStore';
import type { EventStore } from './store/types';
import { createTracker, type Tracker } from './track/createTracker';
import type { LikewiseEvent } from './types';

/**
 * The tracker of an instance on the site's stores (IndexedDB through the
 * page's `indexedDB`, else memory), or on the injected ones. Without a
 * window (server-side rendering) memory is the expected mode, not a
 * failure: nothing is reported. Erasing (`forget()`, a withdrawal) loads
 * the `erase` part through `load`; a load that fails rejects, and the
 * tracker tries again at the next start.
 *
 * @returns the tracker, and `rewrite`: stores events again under their keys
 *   (measurement's stamped copies), after consent only
 */
export function createStoredTracker(
  options: LikewiseOptions,
  deps: LikewiseDeps,
  load: PartLoader,
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
  const store = { indexedDB, erase: () => load('erase') };
  const makeEventStore = deps.createEventStore ?? ((o) => createEventStore(o, store));
  // The latest event store the tracker made.
  let eventStore: EventStore | undefined;
  const tracker = createTracker({
    ...options,
    ...platform,
    createEventStore: (o) => (eventStore = makeEventStore(o)),
    createStateStore: deps.createStateStore ?? ((o) => createStateStore(o, store)),
    deleteSiteData:
      deps.deleteSiteData ??
      ((s, d) =>
        load('erase').then((m) => m.deleteSiteData(s, { ...d, ...store, connections, failure }))),
    hasIndexedDB: !!indexedDB,
  });
  return {
    tracker,
    rewrite(events) {
      if (tracker.consent === 'granted' && events.length)
        eventStore?.append(events).catch(platform.report);
    },
  };
}
