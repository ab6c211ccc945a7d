import type { LikewiseEvent } from '../types';

/**
 * True when one session of `events` holds two different items (an event's
 * `itemId` or its `items` lines): on-device learning pairs items within a
 * session, so without such a session it learns nothing and is not loaded.
 *
 * @example hasCoViews([{ session: 's', itemId: 'a' }, { session: 's', itemId: 'b' }] as LikewiseEvent[]) // true
 */
export function hasCoViews(events: readonly LikewiseEvent[]): boolean {
  const first = new Map<string, string>();
  for (const e of events)
    for (const id of [e.itemId, ...(e.items ?? []).map((l) => l.itemId)]) {
      if (id === undefined) continue;
      const seen = first.get(e.session);
      if (seen === undefined) first.set(e.session, id);
      else if (seen !== id) return true;
    }
  return false;
}
