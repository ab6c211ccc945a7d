import type { ItemAggregate, LikewiseEvent } from '../types';
import { keyBytes, request } from './connections';

/** What {@link compactEvents} takes from the event store (passed in: this part imports no core module). */
export interface CompactTools {
  /** The raw events' keys, oldest first. */
  keys(s: IDBObjectStore): Promise<IDBValidKey[]>;
  /** Most raw events kept, and most aggregates kept (the store's `maxEvents`). */
  max: number;
  /** About the most bytes of raw events kept (the store's `maxBytes`). */
  bytes: number;
  /** The key of the aggregates value. */
  at: string;
  isEvent(v: unknown): v is LikewiseEvent;
  /** The event types (`EVENT_TYPES`): what an aggregate may count. */
  types: readonly string[];
}

/**
 * True when `v` is a well-formed {@link ItemAggregate} counting only `types`.
 * Never throws. In this part: aggregates exist only after a compaction, and
 * only `lw.aggregates()` reads them.
 */
export const isValidAggregate = (v: unknown, types: readonly string[]): v is ItemAggregate => {
  // biome-ignore lint/suspicious/noExplicitAny: a shape check of an untrusted record
  const a = v as any;
  return (
    typeof a?.itemId === 'string' &&
    Number.isFinite(a.lastTs) &&
    a.counts?.constructor === Object &&
    Object.entries(a.counts).every(([t, n]) => types.includes(t) && Number.isFinite(n))
  );
};

/**
 * Compacts the oldest events into per-item aggregates until the log fits,
 * in one transaction (`s`'s): atomic even with other tabs. Aggregates are
 * bounded too: past `max` items, the stalest are forgotten. Part of the
 * `erase` part: only a log over its bounds needs it.
 */
export async function compactEvents(s: IDBObjectStore, t: CompactTools): Promise<void> {
  const raw = await t.keys(s);
  const old = await request(s.get(t.at));
  const aggs = new Map(
    (Array.isArray(old) ? old : [])
      .filter((a) => isValidAggregate(a, t.types))
      .map((a) => [a.itemId, a]),
  );
  // How many of the oldest raw keys must go for the log to fit.
  let bytes = raw.reduce<number>((sum, k) => sum + keyBytes(k), 0);
  let n = 0;
  while (raw.length - n > t.max || (bytes > t.bytes && n < raw.length)) bytes -= keyBytes(raw[n++]);
  // Every read and delete asked for at once, then one wait: one round of
  // requests, not one per event (a log far over its bound, after `maxEvents`
  // was lowered, would otherwise outlast the transaction watchdog on a slow
  // device). A request runs after those before it: each read sees its event.
  const gone = await Promise.all(
    raw.slice(0, n).map((k) => {
      const e = request(s.get(k));
      s.delete(k);
      return e;
    }),
  );
  for (const e of gone) {
    if (t.isEvent(e))
      for (const id of new Set([e.itemId, ...(e.items || []).map((l) => l.itemId)]))
        if (id) {
          const a = aggs.get(id) || { itemId: id, counts: {}, lastTs: 0 };
          aggs.set(id, a);
          a.counts[e.type] = (a.counts[e.type] || 0) + 1;
          a.lastTs = Math.max(a.lastTs, e.ts);
        }
  }
  s.put([...aggs.values()].sort((x, y) => y.lastTs - x.lastTs).slice(0, t.max), t.at);
}
