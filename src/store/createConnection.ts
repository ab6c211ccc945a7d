import type { UseStore } from 'idb-keyval';
import { LikewiseError } from '../errors';
import { deleteDatabase } from './deleteDatabase';
import { isQuotaError } from './isQuotaError';
import { openDatabase, STORE_NAME } from './openDatabase';

/** Where background storage failures go. */
export type ErrorReporter = (error: LikewiseError) => void;

/**
 * A lazily opened, self-healing connection to one database, shared by the
 * stores: open timeout, reopen after a dead connection, close on
 * `versionchange`, at most 3 attempts per operation, then memory mode.
 */
export interface Connection {
  /** Database name. */
  readonly name: string;
  /** True once IndexedDB was given up on for the life of the page. */
  memory: boolean;
  /** What memory mode holds (a write-through cache for small stores). */
  readonly mem: Map<string, unknown>;
  /**
   * Runs `op` against IndexedDB (retrying on a fresh connection), or
   * `fallback` once in memory mode. Rejects only if `fallback` throws.
   */
  run<T>(op: (use: UseStore) => Promise<T>, fallback: () => T | Promise<T>): Promise<T>;
  /** Closes the connection; the next operation reopens it. */
  close(): void;
  /** Gives up IndexedDB for the page and empties memory (the site's data is being erased). */
  off(): void;
}

/** Every connection created in this page, so erasing a site's data can stop its stores first. */
export const connections = new Set<Connection>();

/**
 * Wraps a user `onError` so that a throwing callback cannot break storage.
 *
 * @param onError - The user callback, if any.
 */
export function reporter(onError?: ErrorReporter): ErrorReporter {
  return (error) => {
    try {
      onError?.(error);
    } catch {
      // A failing onError must not turn into a storage failure.
    }
  };
}

/**
 * Creates a {@link Connection}. Nothing is opened until the first `run`.
 *
 * @param name - Database name.
 * @param factory - IndexedDB factory; `undefined` means the global `indexedDB`.
 * @param timeout - Open timeout in ms.
 * @param report - Receives every failure (`STORAGE`, or `QUOTA`).
 * @param disposable - When true, a quota error deletes this whole database
 *   (the only thing measured to free space) and the operation is retried.
 */
export function createConnection(
  name: string,
  factory: IDBFactory | undefined,
  timeout: number,
  report: ErrorReporter,
  disposable?: boolean,
): Connection {
  let current: Promise<IDBDatabase> | undefined;
  const drop = () => {
    current?.then(
      (db) => db.close(),
      () => {},
    );
    current = undefined;
  };
  const connect = () => {
    const opening: Promise<IDBDatabase> = openDatabase(factory, name, timeout).then(
      (db) => {
        // idb-keyval ignores versionchange (blocking other tabs' upgrades and
        // deletes) and a forced close: let go of the connection on both.
        db.onclose = db.onversionchange = () => {
          db.close();
          if (current === opening) current = undefined;
        };
        return db;
      },
      (e) => {
        // Missing, denied or hanging IndexedDB does not get better by retrying.
        c.memory = true;
        throw e;
      },
    );
    return opening;
  };
  const c: Connection = {
    name,
    memory: false,
    mem: new Map(),
    async run(op, fallback) {
      for (let attempt = 0, quota = !disposable; attempt < 3 && !c.memory; attempt++) {
        current ||= connect();
        const db = current;
        try {
          return await op((mode, cb) =>
            db.then((d) => cb(d.transaction(STORE_NAME, mode).objectStore(STORE_NAME))),
          );
        } catch (e) {
          // A silently closed connection fails forever: reopen on the next attempt.
          if (current === db) drop();
          const full = !quota && isQuotaError(e);
          report(new LikewiseError(full ? 'QUOTA' : 'STORAGE', `IndexedDB failed: ${name}`, e));
          if (full) {
            quota = true;
            await deleteDatabase(factory, name);
          }
        }
      }
      c.memory = true;
      return fallback();
    },
    close: drop,
    off() {
      c.memory = true;
      c.mem.clear();
      drop();
    },
  };
  connections.add(c);
  return c;
}
