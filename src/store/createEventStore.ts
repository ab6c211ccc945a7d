import { promisifyRequest as request } from 'idb-keyval';
import { LikewiseError } from '../errors';
import type { LikewiseEvent } from '../types';
import { createConnection, type ErrorReporter, type StoreDeps } from './createConnection';
import { deleteDatabase } from './deleteDatabase';
import { isValidAggregate, isValidEvent } from './isValidEvent';
import type { EventStore } from './types';

/** Injected platform dependencies of the stores (re-exported for existing importers). */
export type { StoreDeps };

/** Options of {@link createEventStore}. */
export interface EventStoreOptions {
  /** Site id, 1 to 64 characters from `[A-Za-z0-9_-]`; the database is `likewise-<site>.events`. */
  site: string;
  /** Most raw events kept; older ones are compacted into per-item aggregates. Default 2000. */
  maxEvents?: number;
  /** About the most bytes (JSON length) of raw events kept. Default 1,000,000. */
  maxBytes?: number;
  /** Milliseconds to wait for IndexedDB to open before using memory. Default 1000. */
  openTimeout?: number;
  /** Receives background storage failures (codes `STORAGE`, `QUOTA`). */
  onError?: ErrorReporter;
}

// Raw event keys sort by time, then insertion: `e:<1e15 + ts>:<1e9 + seq>:<bytes>:<id>`.
const size = (key: IDBValidKey) => +String(key).split(':')[3] || 0;
// Aggregates are one value, freshest first: rewritten whole by each compaction (one transaction).
const AGGREGATES = 'a';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/**
 * Creates the bounded, append-only event log of one site, in its own
 * IndexedDB database (`likewise-<site>.events`, disposable: a full origin is
 * recovered by deleting it) through idb-keyval, with a memory fallback.
 * Nothing opens until first use. Events are validated when read back (the
 * tracker validates them before they get here); invalid records are dropped
 * and reported once (`STORAGE`, `Invalid stored data dropped`).
 *
 * @param options - See {@link EventStoreOptions}.
 * @param deps - Injected `indexedDB` (tests pass broken ones).
 * @throws LikewiseError `INVALID_OPTION` when `site` is invalid.
 * @example
 * const store = createEventStore({ site: 'shop', onError: console.warn })
 * await store.append([{ id: 'e1', type: 'view', ts: Date.now(), session: 's1', itemId: 'sku-1' }])
 */
export function createEventStore(options: EventStoreOptions, deps: StoreDeps = {}): EventStore {
  const { maxEvents = 2000, maxBytes = 1e6 } = options;
  const c = createConnection(options, deps, 'events', true);
  let seq = 1e9;
  let warned = false;
  let pending: [string, LikewiseEvent][] = [];
  let next: Promise<void> | undefined;
  let tail: Promise<void> = Promise.resolve();

  // How many of the oldest raw keys must go for the log to fit.
  const excess = (raw: IDBValidKey[]) => {
    let bytes = raw.reduce<number>((sum, k) => sum + size(k), 0);
    let n = 0;
    while (raw.length - n > maxEvents || (bytes > maxBytes && n < raw.length)) {
      bytes -= size(raw[n++]);
    }
    return n;
  };
  // Every other key holds an event (or junk, which compaction clears away).
  const rawKeys = async (store: IDBObjectStore) =>
    (await request(store.getAllKeys())).filter((k) => k !== AGGREGATES);

  // Writes a batch in a transaction that is committed at once, before any
  // result comes back: a page being left (a link clicked right after track())
  // may be gone before a transaction that waits on a read could end. Resolves
  // true when the log is now over its bounds.
  const write = async (store: IDBObjectStore, batch: [string, LikewiseEvent][]) => {
    for (const [k, v] of batch) store.put(v, k);
    const keys = rawKeys(store);
    try {
      store.transaction?.commit?.();
    } catch {
      // No explicit commit here, or the transaction already ended (its own error is reported).
    }
    return excess(await keys) > 0;
  };

  // Compacts the oldest events into per-item aggregates until the log fits,
  // in one transaction: atomic even with other tabs.
  const compact = async (store: IDBObjectStore) => {
    const raw = await rawKeys(store);
    const n = excess(raw);
    if (!n) return;
    const aggs = new Map(
      list(await request(store.get(AGGREGATES)))
        .filter(isValidAggregate)
        .map((a) => [a.itemId, a]),
    );
    for (const k of raw.slice(0, n)) {
      const e = await request(store.get(k));
      store.delete(k);
      if (isValidEvent(e)) {
        for (const id of new Set([e.itemId, ...(e.items || []).map((l) => l.itemId)])) {
          if (id) {
            const a = aggs.get(id) || { itemId: id, counts: {}, lastTs: 0 };
            aggs.set(id, a);
            a.counts[e.type] = (a.counts[e.type] || 0) + 1;
            a.lastTs = Math.max(a.lastTs, e.ts);
          }
        }
      }
    }
    // Aggregates are bounded too: past maxEvents items, forget the stalest.
    store.put(
      [...aggs.values()].sort((x, y) => y.lastTs - x.lastTs).slice(0, maxEvents),
      AGGREGATES,
    );
  };

  // Written or being written: what a read may not see yet.
  let inflight: [string, LikewiseEvent][] = [];
  // Keys of the events appended in this page, by id (the latest maxEvents).
  const known = new Map<string, string>();
  const flush = () => {
    const batch = pending;
    pending = [];
    next = undefined;
    inflight = batch;
    // Memory mode, or the batch in flight when IndexedDB is given up: never lost.
    return batch.length
      ? c
          .run((s) => write(s, batch))
          .then((over) => (over ? c.run(compact) : undefined))
          .finally(() => {
            if (inflight === batch) inflight = [];
          })
      : undefined;
  };

  // Invalid records are dropped, and reported once; the aggregates value is no event.
  // Reads do not queue behind writes (a page must never wait for its own
  // history); events not yet committed are taken from memory instead.
  const read = <T>(valid: (v: unknown) => v is T, key?: string): Promise<T[]> => {
    const unsaved = key ? [] : [...inflight, ...pending];
    return c
      .run((s) => request(key ? s.get(key) : s.getAll()))
      .then((values) => {
        const have = new Set(list(values).map((v) => (v as LikewiseEvent)?.id));
        return [...list(values), ...unsaved.filter(([, e]) => !have.has(e.id)).map(([, e]) => e)];
      })
      .then(
        (values) =>
          list(values).filter((v) => {
            if (valid(v)) return true;
            if (!warned && !Array.isArray(v)) {
              warned = true;
              c.report(new LikewiseError('STORAGE', 'Invalid stored data dropped'));
            }
            return false;
          }) as T[],
      );
  };

  return Object.assign(c, {
    append(events: LikewiseEvent[]) {
      for (const e of events) {
        // An event appended again (after flushNow) keeps its key: written once.
        let key = known.get(e.id);
        if (!key) {
          key = `e:${1e15 + Math.floor(e.ts)}:${seq++}:${JSON.stringify(e).length}:${e.id}`;
          known.set(e.id, key);
          if (known.size > maxEvents) known.delete(known.keys().next().value as string);
        }
        if (!pending.some(([k]) => k === key)) pending.push([key, e]);
      }
      next ||= tail = tail.then(flush).catch(c.fail);
      return next;
    },
    open() {
      // A transaction with no request: it only opens the connection.
      c.run(() => undefined).catch(c.fail);
    },
    flushNow(events: LikewiseEvent[] = []) {
      if (events.length) void this.append(events);
      const batch = [...inflight, ...pending];
      if (!batch.length) return;
      c.run((s) => {
        for (const [k, v] of batch) s.put(v, k);
        try {
          // Commit without waiting for the page to come back to the event loop.
          s.transaction?.commit?.();
        } catch {
          // Already committing, or no explicit commit in this browser.
        }
      }).catch(c.fail);
    },
    events: () => read(isValidEvent),
    aggregates: () => read(isValidAggregate, AGGREGATES),
    clear() {
      // Appends not yet written are cleared too (their promises still resolve).
      pending = [];
      next = undefined;
      tail = tail.then(() => {
        c.close();
        c.mem.clear();
        return deleteDatabase(deps.indexedDB, c.name, c.fail);
      });
      return tail;
    },
  });
}
