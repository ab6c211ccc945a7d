import type { StorageMode } from '../store/types';
import type { ConsentState } from '../track/createTracker';
import type { LikewiseEvent } from '../types';
import type { PrivacySummary } from '../widgets/privacyPanel';
import type { Profile } from './computeProfile';

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
