import { LikewiseError } from '../errors';
import { nextTask } from '../nextTask';
import { EVENT_TYPES } from '../shared/eventSchema';
import type { ItemAggregate, LikewiseEvent } from '../types';
import { type ErrorReporter, keyBytes, request, webStorage } from './connections';
import { createConnection, type StoreDeps } from './createConnection';
import { isValidEvent } from './isValidEvent';
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
  /**
   * Milliseconds a transaction may hang (neither complete nor fail) before
   * it is given up with its connection and retried on a new one. Default 5000.
   */
  stallTimeout?: number;
  /** First wait (ms) before IndexedDB is tried again after a quota failure (doubles, up to 16x). Default 5000. */
  retryDelay?: number;
  /** Receives background storage failures (codes `STORAGE`, `QUOTA`). */
  onError?: ErrorReporter;
}

/** A raw event under its key: `e:<1e15 + ts>:<1e9 + seq>:<bytes>:<id>` (sorts by time, then insertion). */
type Entry = [key: string, event: LikewiseEvent];

// Aggregates are one value, freshest first: rewritten whole by each compaction (one transaction).
const AGGREGATES = 'a';
// The visitor's session, as `[id, last]`: an array, so a read of every value skips it like the aggregates.
const SESSION = 's';
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const commit = (s: IDBObjectStore) => {
  try {
    // Commit without waiting for the page to come back to the event loop.
    s.transaction.commit();
  } catch {
    // Memory mode, no explicit commit in this browser, or already ended.
  }
};
/** Most entries the unload backup holds (it is written synchronously while the page goes). */
const BACKUP_MAX = 200;
/**
 * Largest unload backup, in bytes of UTF-8 JSON: a synchronous write while
 * the page goes stays within the 64 KB a page may send at unload anyway
 * (200 events of 2 KB would be about 400 KB).
 */
export const BACKUP_MAX_BYTES = 65_536;

/** Records checked per task when reading the log back. */
const READ_SLICE = 500;

/**
 * Creates the bounded, append-only event log of one site, in its own
 * IndexedDB database (`likewise-<site>.events`, disposable: a full origin is
 * recovered by deleting it), with a memory fallback. Nothing opens until
 * first use. Each `append` is one transaction, committed at once (the
 * tracker appends one batch per tick); reads are transactions behind it, so
 * they see it. Events are validated when read back (the tracker validates
 * them before they get here); invalid records are dropped and reported once
 * (`STORAGE`, `Invalid stored data dropped`). The log also keeps the
 * visitor's session (`session()`), written in the transaction of the batch
 * whose `append` gave it. Compacting a log over its bounds loads the `erase`
 * part (`deps.erase`), and so does memory mode: an `append` that can be kept
 * nowhere (that part would not load) rejects, and the caller keeps its
 * events for the next one (an event appended again keeps its key: stored once).
 *
 * Unload backup: `flushNow` (a page being left) also copies the events it
 * is given (those not yet committed) to `localStorage` under the database's
 * name, synchronously, because an IndexedDB write begun in `pagehide` on a
 * cold database may never land. The next store of the site takes them back
 * at its first use, under the same keys (so an event that did land is not
 * doubled), and removes the copy once they are in IndexedDB. `deleteSiteData`
 * removes it. The copy holds the newest events that fit in 64 KB of JSON (at
 * most 200): older ones still go to IndexedDB, without the copy's second chance.
 *
 * @param options - See {@link EventStoreOptions}.
 * @param deps - Injected `indexedDB`, `localStorage` (tests pass broken ones) and the `erase` part.
 * @example
 * const store = createEventStore({ site: 'shop', onError: console.warn })
 * await store.append([{ id: 'e1', type: 'view', ts: Date.now(), session: 's1', itemId: 'sku-1' }])
 */
export function createEventStore(options: EventStoreOptions, deps: StoreDeps = {}): EventStore {
  const { maxEvents = 2000, maxBytes = 1e6 } = options;
  const c = createConnection(options, deps, 'events');
  let seq = 1e9;
  let warned = false;
  let started = false;
  let backedUp = false;
  // Keys of the events appended in this page (the tracker appends the same objects again).
  const known = new WeakMap<LikewiseEvent, string>();
  const entries = (events: LikewiseEvent[]) =>
    new Map(
      events.map((e): Entry => {
        let key = known.get(e);
        if (!key) {
          key = `e:${1e15 + Math.floor(e.ts)}:${seq++}:${JSON.stringify(e).length}:${e.id}`;
          known.set(e, key);
        }
        return [key, e];
      }),
    );

  /** Reads the unload backup (valid entries only) and replaces it with `edit(entries)`. */
  const backup = (edit?: (entries: Entry[]) => Entry[]): Entry[] => {
    const ls = webStorage(deps);
    try {
      const saved = list(JSON.parse(ls?.getItem(c.name) || '[]')).filter((x): x is Entry => {
        const [k, e] = list(x) as [string, LikewiseEvent];
        // A tampered key could overwrite the aggregates: only event keys, of that event.
        return /^e:\d+:\d+:\d+:/.test(k) && isValidEvent(e) && k.endsWith(':' + e.id);
      });
      if (edit) {
        let kept = edit(saved).slice(-BACKUP_MAX);
        // Too big: drop the oldest share that is over, until the newest fit.
        const bytes = () => new TextEncoder().encode(JSON.stringify(kept)).length;
        let size = bytes();
        while (size > BACKUP_MAX_BYTES) {
          kept = kept.slice(Math.max(1, Math.ceil(kept.length * (1 - BACKUP_MAX_BYTES / size))));
          size = bytes();
        }
        if (kept.length) ls?.setItem(c.name, JSON.stringify(kept));
        else ls?.removeItem(c.name);
      }
      return saved;
    } catch {
      // No storage (sandboxed frame), full, or tampered beyond parsing: IndexedDB alone.
      return [];
    }
  };

  // Every other key holds an event (or junk, which compaction clears away).
  const rawKeys = async (s: IDBObjectStore) =>
    (await request(s.getAllKeys())).filter((k) => k !== AGGREGATES && k !== SESSION);
  // Compaction (a log over its bounds) is in the `erase` part: a log that
  // cannot load it is reported and stays over its bounds until the next write.
  const tools = {
    keys: rawKeys,
    max: maxEvents,
    bytes: maxBytes,
    at: AGGREGATES,
    isEvent: isValidEvent,
    types: EVENT_TYPES,
  };

  // Writes a batch (and the session) in a transaction that is committed at
  // once, before any result comes back: a page being left may be gone before
  // a transaction that waits on a read could end. Then compacts a log over
  // its bounds, unless the page is being left.
  const write = (batch: Map<string, LikewiseEvent>, session?: unknown, leaving?: boolean) => {
    return c
      .run(async (s) => {
        if (session) s.put(session, SESSION);
        batch.forEach((v, k) => void s.put(v, k));
        const keys = rawKeys(s);
        commit(s);
        const raw = await keys;
        return (
          raw.length > maxEvents || raw.reduce<number>((n, k) => n + keyBytes(k), 0) > maxBytes
        );
      })
      .then((over) => {
        // In IndexedDB now: the backup no longer needs them (in memory mode it keeps them).
        if (backedUp && c.mode !== 'memory')
          backup((saved) => saved.filter(([k]) => !batch.has(k)));
        if (over && !leaving)
          return c
            .part()
            .then((m) => c.run((s) => m.compactEvents(s, tools)))
            .catch(c.fail);
      });
  };
  // At first use: take back what a page left in the backup, ahead of anything new.
  const start = () => {
    if (started) return;
    started = true;
    const saved = backup();
    if (saved.length) {
      backedUp = true;
      write(new Map(saved)).catch(c.fail);
    }
  };

  // Invalid records are dropped, and reported once; the aggregates value is no event.
  // Records are checked a slice per task, so a long log never blocks the page
  // for long. (The tracker reads one step at a time: no two reads to share.)
  const read = <T>(valid: (v: unknown) => v is T, key?: string): Promise<T[]> => {
    start();
    return c
      .run((s) => request(key ? s.get(key) : s.getAll()))
      .catch(c.fail)
      .then(async (values) => {
        const all = list(values);
        const kept: T[] = [];
        for (let i = 0; i < all.length; i++) {
          if (i && i % READ_SLICE === 0) await nextTask();
          const v = all[i];
          if (valid(v)) kept.push(v);
          else if (!warned && !Array.isArray(v)) {
            warned = true;
            c.report(new LikewiseError('STORAGE', 'Invalid stored data dropped'));
          }
        }
        return kept;
      });
  };

  return Object.assign(c, {
    append(events: LikewiseEvent[], state?: unknown) {
      start();
      const st = state as { id: string; last: number } | undefined;
      return write(entries(events), st && [st.id, st.last]);
    },
    flushNow(events: LikewiseEvent[] = []) {
      if (!events.length) return;
      start();
      const batch = entries(events);
      backedUp = true;
      backup((saved) => [...saved.filter(([k]) => !batch.has(k)), ...batch]);
      write(batch, 0, true).catch(c.fail);
    },
    session: () => {
      start();
      return c
        .run((s) => request(s.get(SESSION)))
        .then((v) => (Array.isArray(v) ? { id: v[0], last: v[1] } : undefined), c.fail);
    },
    events: () => read(isValidEvent),
    // Aggregates exist only after a compaction and only `lw.aggregates()`
    // reads them: their check is in the `erase` part.
    aggregates: () =>
      c.part().then(
        (m) => read((v): v is ItemAggregate => m.isValidAggregate(v, EVENT_TYPES), AGGREGATES),
        (e) => {
          c.fail(e);
          return [];
        },
      ),
  });
}
