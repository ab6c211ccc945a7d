import { promisifyRequest } from 'idb-keyval';
import { LikewiseError } from '../errors';
import { connections, type ErrorReporter, reporter, storageBuckets } from './connections';
import { bucketName, databaseName } from './databaseName';
import type * as Erase from './erase';
import { isQuotaError } from './isQuotaError';
import type { StorageMode } from './types';

/**
 * A lazily opened, self-healing connection to one database: the shared core
 * of both stores (each store is a Connection with its methods added). Open
 * timeout, reopen after a dead connection, close on `versionchange`, at most
 * 3 attempts per operation, then memory mode (after a quota failure, only
 * until a retry with backoff finds room).
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
   * (resolving once it commits; retried on a fresh connection), or on a
   * stand-in over `mem` once in memory mode. Rejects only if `op` throws in
   * memory. Reads use readwrite too: one code path, and reads are rare.
   */
  run<T>(op: (store: IDBObjectStore) => T | Promise<T>): Promise<T>;
  /** The wrapped `onError`: never throws. */
  report: ErrorReporter;
  /** Reports a failure of this database (`QUOTA` when `quota`, else `STORAGE`). */
  fail(error: unknown, quota?: boolean): void;
  /** Closes the connection; the next operation reopens it. */
  close(): void;
  /** Gives up IndexedDB for the page and empties memory (the site's data is being erased). */
  off(): void;
  /**
   * Deletes the database (the whole storage bucket when it has one of its
   * own), with the `erase` part, loaded on demand: resolves when done or
   * after a bounded wait; never rejects (a part that will not load is a
   * failure of this database).
   */
  drop(): Promise<void>;
}

/**
 * The reporter of one database's failures: `IndexedDB failed: <name>`, code
 * `QUOTA` when `quota`, else `STORAGE`, with the cause.
 */
export const failure =
  (report: ErrorReporter, name: string) =>
  (error: unknown, quota?: boolean): void =>
    report(new LikewiseError(quota ? 'QUOTA' : 'STORAGE', 'IndexedDB failed: ' + name, error));

// A request that has already succeeded: idb-keyval's promisifyRequest resolves
// it at once (it assigns onsuccess, which calls back here).
const done = (result: unknown) => ({
  result,
  set onsuccess(f: () => void) {
    f();
  },
});

// The object store calls the stores make, over a Map, for memory mode.
const memoryStore = (m: Map<string, unknown>) => {
  const keys = () => [...m.keys()].sort();
  return {
    getAllKeys: () => done(keys()),
    getAll: () => done(keys().map((k) => m.get(k))),
    get: (k: string) => done(m.get(k)),
    put: (v: unknown, k: string) => m.set(k, v),
    delete: (k: string) => m.delete(k),
  } as unknown as IDBObjectStore;
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
   * Loads the `erase` part (deleting databases and buckets: quota recovery,
   * `forget()`, withdrawal; compacting the event log), which a page loads
   * only when that happens. Default: none, and such a deletion or compaction
   * fails with `onError`.
   */
  erase?: () => Promise<typeof Erase>;
}

/** What every store's options have. */
interface ConnectionOptions {
  site: string;
  openTimeout?: number;
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
 *   `retryDelay` in ms, default 5000: after a quota failure, memory mode
 *   lasts this long, then IndexedDB is tried again (what memory holds is
 *   written back first); the wait doubles on each failure, up to 16 times;
 *   `onError` receives every failure (`STORAGE`, or `QUOTA`).
 * @param deps - Injected `indexedDB`.
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
  { site, openTimeout = 1000, retryDelay = 5000, onError }: ConnectionOptions,
  { indexedDB: factory, erase }: StoreDeps,
  part?: string,
): Connection {
  const name = databaseName(site, part);
  const disposable = !!part;
  const buckets = disposable ? storageBuckets(factory) : undefined;
  const bucket = bucketName(site);
  /** The bucket would not open: the database lives in the default one, and that is what gets deleted. */
  let refused = false;
  let db: Promise<IDBDatabase> | undefined;
  const mem = new Map<string, unknown>();
  const report = reporter(onError);
  /** The last close, done once the connection is closed. */
  let closed: Promise<void> | undefined;
  const close = () => {
    closed = db?.then(
      (d) => d.close(),
      () => {},
    );
    db = undefined;
  };
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
          // A slow open (a busy disk) that arrives after memory mode began: the
          // connection is taken and what memory holds is written back, unless
          // the site was erased meanwhile (or another connection is in use).
          const q = late ? Promise.resolve(d) : p;
          // idb-keyval ignores versionchange (blocking other tabs' upgrades and
          // deletes) and a forced close: let go of the connection on both.
          d.onclose = d.onversionchange = () => {
            d.close();
            if (db === q) db = undefined;
          };
          if (!late) return resolve(d);
          if (!wait || db) return d.close();
          db = q;
          heal();
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
  /** Next backoff after a quota failure (ms); 0 once the site's data is erased (no coming back). */
  let wait = retryDelay;
  /** Memory mode after quota: the next transaction first writes back what memory holds. */
  let back = false;
  let timer: unknown;
  /** Leaves memory mode: the next transaction first writes back what memory holds. */
  const heal = () => {
    c.mode = 'indexeddb';
    back = true;
    void c.run(() => 0);
  };
  const c: Connection = {
    name,
    mode: factory === null ? 'memory' : 'indexeddb',
    mem,
    report,
    fail: failure(report, name),
    async run(op) {
      let quota = false;
      for (let i = 0; i < 3 && c.mode !== 'memory'; i++) {
        db ||= open();
        const p = db;
        let s: IDBObjectStore | undefined;
        try {
          s = (await p).transaction('kv', 'readwrite').objectStore('kv');
          // Back from memory mode: what it holds goes first, under the same keys
          // (so nothing is doubled and key order is kept), in the same transaction.
          if (back) mem.forEach((v, k) => void s?.put(v, k));
          const r = (await Promise.all([op(s), promisifyRequest(s.transaction)]))[0];
          if (back) mem.clear();
          back = false;
          return r;
        } catch (e) {
          // A silently closed connection fails forever: reopen on the next attempt.
          if (db === p) close();
          // An aborted transaction's own error (e.g. quota) says more than a request's AbortError.
          const error = s?.transaction.error || e;
          const full = isQuotaError(error);
          c.fail(error, disposable && full);
          // Quota recovery: once per operation, at its first quota error
          // (Chromium may fail the first attempt on a full origin with another error).
          if (disposable && full && !quota) await c.drop();
          quota ||= full;
        }
      }
      // Full: space may come back later in the page's life (another tab or
      // the browser frees some), so memory mode lasts only until a retry.
      if (quota && wait && !timer) {
        timer = setTimeout(() => {
          timer = 0;
          if (wait) heal();
        }, wait);
        wait = Math.min(wait * 2, retryDelay * 16);
      }
      c.mode = 'memory';
      return op(memoryStore(mem));
    },
    close,
    drop: () =>
      Promise.resolve()
        .then(erase)
        .then((m) => m!.drop(factory, name, c.fail, !refused && buckets, bucket, closed))
        .catch(c.fail),
    off() {
      wait = 0;
      c.mode = 'memory';
      mem.clear();
      close();
    },
  };
  connections.add(c);
  return c;
}
