// What the core's stores and the `erase` part share. It imports nothing at
// run time on purpose: a part that imports a core module with imports of its
// own (the error class) made Vite split that class into a chunk of its own,
// loaded by every page.
import type { LikewiseError } from '../errors';
import type { Connection, StoreDeps } from './createConnection';

/**
 * Resolves with a request's result, or once a transaction commits; rejects
 * with its error (an abort included), or, given `ms`, with `'timeout'` when
 * nothing has answered by then (a hanging transaction). The one IndexedDB
 * helper the stores need.
 *
 * @example const keys = await request(store.getAllKeys())
 */
export const request = <T = unknown>(r: IDBRequest<T> | IDBTransaction, ms?: number): Promise<T> =>
  new Promise((resolve, reject) => {
    // biome-ignore lint/suspicious/noExplicitAny: a request and a transaction, one shape
    const x = r as any;
    x.oncomplete = x.onsuccess = () => resolve(x.result);
    x.onabort = x.onerror = () => reject(x.error);
    // Past an answer the timer does nothing: a settled promise stays settled.
    if (ms) setTimeout(reject, ms, 'timeout');
  });

/** The bytes an event key says its event takes (`e:<ts>:<seq>:<bytes>:<id>`; 0 for another key). */
export const keyBytes = (key: IDBValidKey): number => +String(key).split(':')[3] || 0;

/** Where background storage failures go. */
export type ErrorReporter = (error: LikewiseError) => void;

/** The part of `navigator.storageBuckets` (Chromium 122+) the stores use. */
export interface StorageBuckets {
  open(name: string): Promise<{ indexedDB: IDBFactory }>;
  delete(name: string): Promise<void>;
}

/**
 * The browser's storage buckets, where there are any, for stores on the
 * page's own IndexedDB (`factory` undefined or the global one). None where
 * the page has no IndexedDB (missing, or denied: reading it throws), for
 * `null` (no IndexedDB by nature) and for an injected factory, used as given.
 */
export const storageBuckets = (
  factory: IDBFactory | null | undefined,
): StorageBuckets | undefined => {
  try {
    if (factory !== null && (factory ?? indexedDB) === indexedDB && indexedDB)
      return (navigator as { storageBuckets?: StorageBuckets }).storageBuckets;
  } catch {
    // No IndexedDB global (Node) or reading it throws (a sandboxed frame).
  }
};

/** Every connection created in this page, so erasing a site's data can stop its stores first. */
export const connections: Set<Connection> = new Set();

/**
 * Wraps a user `onError` so that a throwing callback cannot break storage.
 *
 * @param onError - The user callback, if any.
 */
export const reporter =
  (onError?: ErrorReporter): ErrorReporter =>
  (error) => {
    try {
      onError?.(error);
    } catch {
      // A failing onError must not turn into a storage failure.
    }
  };

/** The injected or global `localStorage`, or `undefined`/`null` where there is none (reading the global can throw). */
export const webStorage = (deps: StoreDeps): StoreDeps['localStorage'] => {
  try {
    return deps.localStorage === undefined ? globalThis.localStorage : deps.localStorage;
  } catch {
    return null;
  }
};
