import { clear, del, get, keys, set } from 'idb-keyval';
import { LikewiseError } from '../errors';
import { createConnection, type ErrorReporter, reporter } from './createConnection';
import type { StoreDeps } from './createEventStore';
import { databaseName } from './databaseName';
import type { StateStore } from './types';

/** Options of {@link createStateStore}. */
export interface StateStoreOptions {
  /** Site id, 1 to 64 characters from `[A-Za-z0-9_-]`. */
  site: string;
  /** Optional part name (same alphabet): the database becomes `likewise-<site>-<name>` (e.g. `outbox`). */
  name?: string;
  /** Milliseconds to wait for IndexedDB to open before using memory. Default 1000. */
  openTimeout?: number;
  /** Receives background storage failures (code `STORAGE`). */
  onError?: ErrorReporter;
}

const noop = () => {};
const checkKey = (key: unknown) => {
  if (typeof key !== 'string') throw new LikewiseError('INVALID_INPUT', 'key must be a string');
};

/**
 * Creates a small key-value store for SDK state (consent, ids, session,
 * outbox) in `likewise-<site>` (or `likewise-<site>-<name>`), apart from the
 * disposable events database so that quota recovery never touches consent.
 * Same resilience as the event store; in memory mode it serves the last
 * values this page read or wrote.
 *
 * @param options - See {@link StateStoreOptions}.
 * @param deps - Injected `indexedDB`.
 * @throws LikewiseError `INVALID_OPTION` when `site` or `name` is invalid.
 * @example
 * const state = createStateStore({ site: 'shop' })
 * await state.set('consent', { granted: true })
 */
export function createStateStore(options: StateStoreOptions, deps: StoreDeps = {}): StateStore {
  const conn = createConnection(
    databaseName(options.site, options.name),
    deps.indexedDB,
    options.openTimeout ?? 1000,
    reporter(options.onError),
  );
  const mem = conn.mem;
  return {
    get mode() {
      return conn.memory ? 'memory' : 'indexeddb';
    },
    get<T>(key: string) {
      checkKey(key);
      return conn.run(
        (use) =>
          get<T>(key, use).then((v) => {
            if (v === undefined) mem.delete(key);
            else mem.set(key, v);
            return v;
          }),
        () => mem.get(key) as T | undefined,
      );
    },
    set(key, value) {
      checkKey(key);
      mem.set(key, value);
      return conn.run((use) => set(key, value, use), noop);
    },
    del(key) {
      checkKey(key);
      mem.delete(key);
      return conn.run((use) => del(key, use), noop);
    },
    keys: () =>
      conn.run(
        (use) => keys<string>(use),
        () => [...mem.keys()],
      ),
    clear() {
      mem.clear();
      return conn.run((use) => clear(use), noop);
    },
    close: conn.close,
  };
}
