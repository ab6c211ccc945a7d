/** Turns the browser's local event log into the engine's columnar form. */
import type { LikewiseEvent } from '../types';
import { EVENT_TYPE_CODES, type InteractionLog } from './types';

/**
 * Converts local events to an {@link InteractionLog}, one user per session
 * (a session is one shopping intent: the on-device co-occurrence unit).
 * Multi-item purchases become one row per line item; events without an item
 * (search) are left out. Items are indexed in order of first appearance.
 *
 * @example buildNeighbours(eventsToLog(events), { k: 20 })
 */
export function eventsToLog(
  events: readonly LikewiseEvent[],
): InteractionLog & { userIds: string[] } {
  const userIndex = new Map<string, number>();
  const itemIndex = new Map<string, number>();
  const userIds: string[] = [];
  const itemIds: string[] = [];
  const users: number[] = [];
  const items: number[] = [];
  const types: number[] = [];
  const times: number[] = [];
  const add = (session: string, itemId: string, type: number, ts: number) => {
    let u = userIndex.get(session);
    if (u === undefined) {
      u = userIds.length;
      userIndex.set(session, u);
      userIds.push(session);
    }
    let i = itemIndex.get(itemId);
    if (i === undefined) {
      i = itemIds.length;
      itemIndex.set(itemId, i);
      itemIds.push(itemId);
    }
    users.push(u);
    items.push(i);
    types.push(type);
    times.push(ts);
  };
  for (const e of events) {
    const type = EVENT_TYPE_CODES.indexOf(e.type);
    if (type < 0) continue;
    if (e.itemId !== undefined) add(e.session, e.itemId, type, e.ts);
    if (e.items) for (const line of e.items) add(e.session, line.itemId, type, e.ts);
  }
  return {
    itemIds,
    userIds,
    userCount: userIds.length,
    users: Uint32Array.from(users),
    items: Uint32Array.from(items),
    types: Uint8Array.from(types),
    times: Float64Array.from(times),
    length: users.length,
  };
}
