import { LikewiseError } from '../errors';
import { connections, type ErrorReporter, request, storageBuckets } from './connections';
import { bucketName, databaseName } from './databaseName';
import type * as Erase from './erase';
import { isQuotaError } from './isQuotaError';
import type { StorageMode } from './types';

/**
 * A lazily opened, self-healing connection to one database: the shared core
 * of both stores (each store is a Connection with its methods added). Open
 * timeout, reopen after a dead connection, close on `versionchange`, at most
 * 3 attempts per operation, then memory mode (after a quota failure, only
 * until a retry with backoff finds room). What happens only after a failure
 * (memory mode, the retry, taking a late connection) is in the `erase` part,
 * loaded then: a page whose storage works never loads it.
 */
export interface Connection {
  /** Database name. */
  readonly name: string;
  /** `'memory'` once IndexedDB was given up on: for the life of the page, or after a quota failure until a retry works. */
  mode: StorageMode;
  /** What memory mode holds (a write-through cache for the state store). */
  readonly mem: Map<string, unknown>;
  /**
   * Runs `op` on the `kv` object store of one readwrite transaction
   * (resolving once it commits; retried on a fresh connection), or, once in
   * memory mode, on a stand-in over `mem` (the `erase` part). Rejects if `op`
   * throws in memory, or if memory mode's code cannot load. Reads use
   * readwrite too: one code path, and reads are rare.
   */
  run<T>(op: (store: IDBObjectStore) => T | Promise<T>): Promise<T>;
  /** `onError`, or nothing. */
  report: ErrorReporter;
  /** Reports a failure of this database (`QUOTA` when `quota`, else `STORAGE`). */
  fail(error: unknown, quota?: boolean): void;
  /** Closes the connection; the next operation reopens it. */
  close(): void;
  /**
   * Deletes the database (the whole storage bucket when it has one of its
   * own), with the `erase` part, loaded on demand: resolves when done or
   * after a bounded wait; never rejects (a part that will not load is a
   * failure of this database).
   */
  drop(): Promise<void>;
  /** Loads the `erase` part (memory mode, the retry, deletion and compaction). */
  part(): Promise<typeof Erase>;
  /** The open connection, or its open on the way. */
  db?: Promise<IDBDatabase>;
  /** The next wait (ms) before IndexedDB is tried again after a quota failure; 0 once the site's data is erased (no coming back). */
  wait: number;
  /** The longest wait: `retryDelay` × 16. */
  readonly most: number;
  /** The retry after a quota failure is set. */
  timer?: unknown;
}

/**
 * The reporter of one database's failures: `IndexedDB failed: <name>`, code
 * `QUOTA` when `quota`, else `STORAGE`, with the cause.
 */
export const failure =
  (report: ErrorReporter, name: string) =>
  (error: unknown, quota?: boolean): void => {
    report(new LikewiseError(quota ? 'QUOTA' : 'STORAGE', 'IndexedDB failed: ' + name, error));
  };

/** Injected platform dependencies of the stores. */
export interface StoreDeps {
  /**
   * IndexedDB factory. Default: the global `indexedDB`. `null`: there is none
   * here by nature (a server rendering the page), so the stores work in memory
   * from the start and report nothing.
   */
  indexedDB?: IDBFactory | null;
  /** Where the event store keeps its unload backup. Default: the global `localStorage`; `null` for none. */
  localStorage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null;
  /**
   * Loads the `erase` part (memory mode and the retry after a quota failure;
   * deleting databases and buckets: quota recovery, `forget()`, withdrawal;
   * compacting the event log), which a page loads only when that happens.
   * Default: none, and each of those fails with `onError` (an operation that
   * needs memory mode rejects; the event store keeps its events for the next write).
   */
  erase?: () => Promise<typeof Erase>;
}

/** What every store's options have. */
interface ConnectionOptions {
  site: string;
  openTimeout?: number;
  stallTimeout?: number;
  retryDelay?: number;
  onError?: ErrorReporter;
}

/**
 * Creates a {@link Connection} to `likewise-<site>` or `likewise-<site>.<part>`.
 * Nothing is opened until the first `run`.
 *
 * @param options - `site`; `openTimeout` in ms (Safari's `open` can hang
 *   forever), default 1000: past it the store works in memory, and if the
 *   open still succeeds later (a busy disk can take longer than the
 *   timeout) that connection is taken and memory written back;
 *   `stallTimeout` in ms, default 5000: a transaction that has neither
 *   completed nor failed by then is given up (its connection closed) and
 *   the operation retried on a new connection (on a loaded machine,
 *   Chromium 156 left a transaction of a storage bucket's database hanging
 *   for good while a new connection worked; see README, Reliability);
 *   `retryDelay` in ms, default 5000: after a quota failure, memory mode
 *   lasts this long, then IndexedDB is tried again (what memory holds is
 *   written back first); the wait doubles on each failure, up to 16 times;
 *   `onError` receives every failure (`STORAGE`, or `QUOTA`); it must not
 *   throw (the tracker passes its reporter, which never does).
 * @param deps - Injected `indexedDB` and the `erase` part's loader.
 * @param part - Database name suffix (`events`): a part is disposable. The first quota error of an operation
 *   deletes this whole database and the operation is retried. Where the
 *   browser has storage buckets (and `deps.indexedDB` is the page's own), the
 *   database lives in the site's bucket of disposable data ({@link bucketName})
 *   and that bucket is what gets deleted: Chromium gives a deleted bucket's space
 *   back at once, a deleted database's not while the origin's other
 *   connections live. A bucket that will not open leaves the database in the
 *   default one.
 */
export function createConnection(
  { site, openTimeout = 1000, stallTimeout = 5000, retryDelay = 5000, onError }: ConnectionOptions,
  { indexedDB: factory, erase }: StoreDeps,
  part?: string,
): Connection {
  const name = databaseName(site, part);
  const buckets = part ? storageBuckets(factory) : undefined;
  const bucket = bucketName(site);
  /** The bucket would not open: the database lives in the default one, and that is what gets deleted. */
  let refused = false;
  /** The last close, done once the connection is closed. */
  let closed: Promise<void> | undefined;
  const report = onError || (() => {});
  // No part given: a rejection (a TypeError), reported like a part that would not load.
  const load = () => new Promise<typeof Erase>((r) => r(erase!()));
  const open = () => {
    let late = false;
    const p = new Promise<IDBDatabase>((resolve, reject) => {
      setTimeout(() => {
        late = true;
        reject(Error('timeout'));
      }, openTimeout);
      // A missing global or a denied open throws and becomes a rejection.
      const start = (f: IDBFactory) => {
        const r = f.open(name);
        r.onupgradeneeded = () => r.result.createObjectStore('kv');
        r.onsuccess = () => {
          const d = r.result;
          // A slow open (a busy disk) that arrives after memory mode began is
          // the `erase` part's to take or let go.
          const q = late ? Promise.resolve(d) : p;
          // Let go of the connection on another tab's upgrade or delete, and
          // on a forced close: the next operation reopens.
          d.onclose = d.onversionchange = () => {
            d.close();
            if (c.db === q) c.db = undefined;
          };
          if (late)
            load().then(
              (m) => m.takeLate(c, d, q),
              () => d.close(),
            );
          else resolve(d);
        };
        r.onerror = () => reject(r.error);
      };
      if (!buckets) return start(factory || indexedDB);
      buckets
        .open(bucket)
        .then(
          (b) => b.indexedDB,
          () => {
            refused = true;
            return factory || indexedDB;
          },
        )
        .then(start)
        .catch(reject);
    });
    // Missing, denied or hanging IndexedDB does not get better by retrying.
    p.catch(() => {
      c.mode = 'memory';
    });
    return p;
  };
  const c: Connection = {
    name,
    mode: factory === null ? 'memory' : 'indexeddb',
    mem: new Map(),
    report,
    fail: failure(report, name),
    wait: retryDelay,
    most: retryDelay * 16,
    part: load,
    async run(op) {
      let quota = false;
      for (let i = 0; i < 3 && c.mode !== 'memory'; i++) {
        c.db ||= open();
        const p = c.db;
        let s: IDBObjectStore | undefined;
        try {
          s = (await p).transaction('kv', 'readwrite').objectStore('kv');
          // A transaction that hangs is given up with its connection (`stallTimeout`),
          // and the operation retried on a new one.
          return (await Promise.all([op(s), request(s.transaction, stallTimeout)]))[0];
        } catch (e) {
          // A silently closed connection fails forever: reopen on the next attempt.
          if (c.db === p) c.close();
          // An aborted transaction's own error (e.g. quota) says more than a request's AbortError.
          const error = s?.transaction.error || e;
          const full = isQuotaError(error);
          c.fail(error, !!part && full);
          // Quota recovery: once per operation, at its first quota error
          // (Chromium may fail the first attempt on a full origin with another error).
          if (part && full && !quota) await c.drop();
          quota ||= full;
        }
      }
      c.mode = 'memory';
      return (await load()).runInMemory(c, op, quota);
    },
    close() {
      closed = c.db?.then(
        (d) => d.close(),
        () => {},
      );
      c.db = undefined;
    },
    drop: () =>
      load()
        .then((m) => m.drop(factory, name, c.fail, !refused && buckets, bucket, closed))
        .catch(c.fail),
  };
  connections.add(c);
  return c;
}
