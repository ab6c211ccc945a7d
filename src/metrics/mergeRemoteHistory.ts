import type { LikewiseEvent } from '../types';
import { validateEvent } from './validateEvent';

/** Options of {@link mergeRemoteHistory}. */
export interface MergeRemoteHistoryOptions {
  /** Keep at most this many events (the newest). Default 1000. */
  maxEvents?: number;
}

/** What {@link mergeRemoteHistory} returns. */
export interface MergeRemoteHistoryResult {
  /** Local and remote events together, oldest first (ties: local before remote), no id twice. */
  events: LikewiseEvent[];
  /** Remote events that were new (not already local). */
  added: number;
  /** Remote entries refused by validation (wrong shape, unknown type, oversize fields). */
  rejected: number;
}

/**
 * Merges a customer's history fetched from the shop's `profileEndpoint`
 * into the local events. Remote data is untrusted: `remote` may be anything
 * (an array of events, or `{ events: [...] }`); each entry goes through
 * `validateEvent` (unknown fields dropped, invalid entries counted in
 * `rejected`). Duplicates are removed by event id, the local copy winning.
 * Pure: neither argument is modified.
 *
 * @param local - The events already on the device.
 * @param remote - The parsed response body.
 * @param options - See {@link MergeRemoteHistoryOptions}.
 * @example
 * const { events, added } = mergeRemoteHistory(await store.events(), await res.json());
 */
export function mergeRemoteHistory(
  local: readonly LikewiseEvent[],
  remote: unknown,
  options: MergeRemoteHistoryOptions = {},
): MergeRemoteHistoryResult {
  const max = options.maxEvents ?? 1000;
  let list: unknown[] = [];
  let rejected = 0;
  if (Array.isArray(remote)) list = remote;
  else if (Array.isArray((remote as { events?: unknown } | null)?.events)) {
    list = (remote as { events: unknown[] }).events;
  } else if (remote !== null && remote !== undefined) rejected = 1;
  const seen = new Set<string>();
  const merged: { e: LikewiseEvent; order: number }[] = [];
  for (const e of local) {
    if (seen.has(e.id)) continue;
    seen.add(e.id);
    merged.push({ e, order: merged.length });
  }
  let added = 0;
  for (const raw of list) {
    const r = validateEvent(raw);
    if (!r.ok) {
      rejected++;
      continue;
    }
    if (seen.has(r.event.id)) continue;
    seen.add(r.event.id);
    merged.push({ e: r.event, order: merged.length });
    added++;
  }
  merged.sort((a, b) => a.e.ts - b.e.ts || a.order - b.order);
  const events = merged.map((m) => m.e);
  return {
    events: events.length > max ? events.slice(events.length - max) : events,
    added,
    rejected,
  };
}
