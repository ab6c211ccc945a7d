import { entries, getMany, keys, promisifyRequest, type UseStore } from 'idb-keyval';
import { LikewiseError } from '../errors';
import type { ItemAggregate, LikewiseEvent } from '../types';
import { createConnection, type ErrorReporter, reporter } from './createConnection';
import { databaseName } from './databaseName';
import { deleteDatabase } from './deleteDatabase';
import { isValidAggregate, isValidEvent } from './isValidEvent';
import type { EventStore } from './types';

/** Options of {@link createEventStore}. */
export interface EventStoreOptions {
  /** Site id, 1 to 64 characters from `[A-Za-z0-9_-]`; the database is `likewise-<site>-events`. */
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

/** Injected platform dependencies of the stores. */
export interface StoreDeps {
  /** IndexedDB factory. Default: the global `indexedDB`. */
  indexedDB?: IDBFactory;
}

/** The few key-value operations that compaction needs, in IndexedDB or in memory. */
interface Kv {
  keys(): Promise<IDBValidKey[]>;
  getMany(keys: string[]): Promise<unknown[]>;
  put(key: string, value: unknown): unknown;
  del(key: string): unknown;
}

type Entry = [string, unknown];

const starts = (key: IDBValidKey, prefix: string): key is string =>
  typeof key === 'string' && key.startsWith(prefix);
// Raw event keys sort by time, then insertion: `e:<ts>:<seq>:<bytes>:<id>`.
const size = (key: string) => +key.split(':')[3] || 0;

/**
 * Creates the bounded, append-only event log of one site, in its own
 * IndexedDB database (`likewise-<site>-events`, disposable: a full origin is
 * recovered by deleting it) through idb-keyval, with a memory fallback.
 * Nothing opens until first use.
 *
 * @param options - See {@link EventStoreOptions}.
 * @param deps - Injected `indexedDB` (tests pass broken ones).
 * @throws LikewiseError `INVALID_OPTION` when `site` is invalid.
 * @example
 * const store = createEventStore({ site: 'shop', onError: console.warn })
 * await store.append([{ id: 'e1', type: 'view', ts: Date.now(), session: 's1', itemId: 'sku-1' }])
 */
export function createEventStore(options: EventStoreOptions, deps: StoreDeps = {}): EventStore {
  const { maxEvents = 2000, maxBytes = 1e6, openTimeout = 1000 } = options;
  const report = reporter(options.onError);
  const conn = createConnection(
    databaseName(options.site, 'events'),
    deps.indexedDB,
    openTimeout,
    report,
    true,
  );
  const mem = conn.mem;
  let seq = 0;
  let warned = false;
  let pending: Entry[] = [];
  let next: Promise<void> | undefined;
  let tail: Promise<void> = Promise.resolve();

  const invalid = () => {
    if (!warned) report(new LikewiseError('STORAGE', 'Invalid stored events were dropped'));
    warned = true;
    return false;
  };
  const sorted = (): Entry[] => [...mem].sort((a, b) => (a[0] < b[0] ? -1 : 1));

  // Writes a batch and, in the same transaction, compacts the oldest events
  // into per-item aggregates until the log fits: atomic even with other tabs.
  const commit = async (kv: Kv, batch: Entry[]) => {
    for (const [k, v] of batch) kv.put(k, v);
    const all = await kv.keys();
    const raw = all.filter((k) => starts(k, 'e:'));
    let bytes = raw.reduce((sum, k) => sum + size(k), 0);
    let n = 0;
    while (raw.length - n > maxEvents || (bytes > maxBytes && n < raw.length)) {
      bytes -= size(raw[n++]);
    }
    if (!n) return;
    const old = raw.slice(0, n);
    const hits: [string, LikewiseEvent][] = [];
    for (const e of await kv.getMany(old)) {
      if (isValidEvent(e)) {
        for (const id of new Set([e.itemId, ...(e.items || []).map((l) => l.itemId)])) {
          if (id) hits.push([id, e]);
        }
      }
    }
    const ids = [...new Set(hits.map((h) => h[0]))];
    const touched = ids.map((id) => 'a:' + id);
    const prev = await kv.getMany(touched);
    const aggs = new Map<string, ItemAggregate>();
    ids.forEach((id, i) => {
      const a = prev[i];
      aggs.set(
        id,
        isValidAggregate(a) && a.itemId === id ? a : { itemId: id, counts: {}, lastTs: 0 },
      );
    });
    for (const [id, e] of hits) {
      const a = aggs.get(id)!;
      a.counts[e.type] = (a.counts[e.type] || 0) + 1;
      a.lastTs = Math.max(a.lastTs, e.ts);
    }
    for (const [id, a] of aggs) kv.put('a:' + id, a);
    for (const k of old) kv.del(k);
    // Aggregates are bounded too: past maxEvents items, forget the stalest.
    const akeys = [...new Set([...all.filter((k) => starts(k, 'a:')), ...touched])];
    if (akeys.length > maxEvents) {
      const vals = (await kv.getMany(akeys)) as (ItemAggregate | undefined)[];
      const stalest = akeys
        .map((k, i) => [k, +(vals[i]?.lastTs as number) || 0] as const)
        .sort((a, b) => a[1] - b[1])
        .slice(0, akeys.length - maxEvents);
      for (const [k] of stalest) kv.del(k);
    }
  };

  const flush = (): Promise<void> | undefined => {
    const batch = pending;
    pending = [];
    next = undefined;
    if (!batch.length) return;
    return conn.run(
      (use) =>
        use('readwrite', async (s) => {
          const u: UseStore = async (_mode, cb) => cb(s);
          try {
            await commit(
              {
                keys: () => keys(u),
                getMany: (k) => getMany(k, u),
                put: (k, v) => s.put(v, k),
                del: (k) => s.delete(k),
              },
              batch,
            );
          } catch (e) {
            // An aborted transaction's own error (e.g. quota) says more than the request's AbortError.
            throw s.transaction.error || e;
          }
          return promisifyRequest(s.transaction);
        }),
      // Memory mode, or the batch in flight when IndexedDB was given up: never lost.
      () =>
        commit(
          {
            keys: async () => sorted().map((e) => e[0]),
            getMany: async (k) => k.map((key) => mem.get(key)),
            put: (k, v) => mem.set(k, v),
            del: (k) => mem.delete(k),
          },
          batch,
        ),
    );
  };

  const read = <T>(prefix: string, valid: (v: unknown) => v is T): Promise<T[]> =>
    (next || tail)
      .then(() => conn.run((use) => entries(use), sorted))
      .then((list) =>
        list.filter(([k, v]) => starts(k, prefix) && (valid(v) || invalid())).map((e) => e[1] as T),
      );

  return {
    get mode() {
      return conn.memory ? 'memory' : 'indexeddb';
    },
    append(events) {
      if (!Array.isArray(events)) {
        throw new LikewiseError('INVALID_INPUT', 'append() expects an array of events');
      }
      for (const e of events) {
        if (isValidEvent(e)) {
          const ts = String(Math.max(0, Math.floor(e.ts))).padStart(15, '0');
          const n = (seq++).toString(36).padStart(6, '0');
          pending.push([`e:${ts}:${n}:${JSON.stringify(e).length}:${e.id}`, e]);
        } else invalid();
      }
      next ||= tail = tail
        .then(flush)
        .catch((e) => report(new LikewiseError('STORAGE', 'Event write failed', e)));
      return next;
    },
    events: () => read('e:', isValidEvent),
    aggregates: () => read('a:', isValidAggregate),
    clear() {
      // Appends not yet written are cleared too (their promises still resolve).
      pending = [];
      next = undefined;
      tail = tail.then(async () => {
        conn.close();
        mem.clear();
        const e = await deleteDatabase(deps.indexedDB, conn.name);
        if (e) report(new LikewiseError('STORAGE', `Cannot delete ${conn.name}`, e));
      });
      return tail;
    },
    close: conn.close,
  };
}
