import type { StorageMode } from '../store/types';
import type { ConsentState } from '../track/createTracker';
import type { EventType, LikewiseEvent } from '../types';
import type { Profile } from './computeProfile';

/** What the SDK holds about the shopper, as the privacy panel shows it. */
export interface PrivacySummary {
  /** Stored events. */
  events: number;
  /** Distinct sessions among them. */
  sessions: number;
  /** Time (ms) of the oldest stored event. */
  oldest?: number;
  /** The categories the profile leans to, best first. */
  topCategories: string[];
  /** The latest events, newest first (the panel shows at most 20). */
  items: { title: string; type: EventType | string; ts: number }[];
  /** Where events are kept. */
  storage: StorageMode;
  consent: ConsentState;
}

/**
 * What the privacy panel shows a shopper about themselves: how many events
 * and visits are stored, since when, the categories their profile leans to,
 * and the latest 20 events with item titles.
 *
 * @param events - the visitor's events, oldest first
 * @param titleOf - catalogue title of an item, when known
 * @example describeVisitor(events, profile, (id) => catalog.get(id)?.title, 'indexeddb', 'granted')
 */
export function describeVisitor(
  events: readonly LikewiseEvent[],
  profile: Profile,
  titleOf: (id: string) => string | undefined,
  storage: StorageMode,
  consent: ConsentState,
): PrivacySummary {
  return {
    events: events.length,
    sessions: new Set(events.map((e) => e.session)).size,
    oldest: events[0]?.ts,
    topCategories: profile.categories.map((c) => c.value),
    items: events
      .slice(-20)
      .reverse()
      .map((e) => ({
        title: (e.itemId && titleOf(e.itemId)) || e.itemId || e.query || '',
        type: e.type,
        ts: e.ts,
      })),
    storage,
    consent,
  };
}
