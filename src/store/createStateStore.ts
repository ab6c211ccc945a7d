import { type ErrorReporter, request } from './connections';
import { createConnection, type StoreDeps } from './createConnection';
import type { StateStore } from './types';

/** Options of {@link createStateStore}. */
export interface StateStoreOptions {
  /** Site id, 1 to 64 characters from `[A-Za-z0-9_-]`. */
  site: string;
  /** Milliseconds to wait for IndexedDB to open before using memory. Default 1000. */
  openTimeout?: number;
  /**
   * Milliseconds a transaction may hang (neither complete nor fail) before
   * it is given up with its connection and retried on a new one. Default 5000.
   */
  stallTimeout?: number;
  /** First wait (ms) before IndexedDB is tried again after a quota failure (doubles, up to 16x). Default 5000. */
  retryDelay?: number;
  /** Receives background storage failures (code `STORAGE`). */
  onError?: ErrorReporter;
}

/**
 * Creates a small key-value store for SDK state (the consent record,
 * the customer's hash, the outbox) in `likewise-<site>`, apart from the
 * disposable events database (which also holds the session) so that quota recovery never touches consent.
 * Same resilience as the event store; in memory mode it serves the last
 * values this page read or wrote.
 *
 * @param options - See {@link StateStoreOptions}.
 * @param deps - Injected `indexedDB`.
 * @example
 * const state = createStateStore({ site: 'shop' })
 * await state.set('consent', { granted: true })
 */
export function createStateStore(options: StateStoreOptions, deps: StoreDeps = {}): StateStore {
  const c = createConnection(options, deps);
  const m = c.mem;
  // Every value read or written is kept in `m` too: memory mode starts from it.
  return Object.assign(c, {
    get: <T>(key: string) =>
      c
        .run((s) => request(s.get(key)))
        .then((v) => {
          if (v === undefined) m.delete(key);
          else m.set(key, v);
          return v as T | undefined;
        }),
    set: (key: string, value: unknown) => {
      m.set(key, value);
      return c.run((s) => void s.put(value, key));
    },
    del: (key: string) => {
      m.delete(key);
      return c.run((s) => void s.delete(key));
    },
    keys: () => c.run((s) => request(s.getAllKeys()) as Promise<string[]>),
  });
}
