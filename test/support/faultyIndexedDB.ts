/**
 * Fault-injecting IndexedDB factories for the store tests: a real
 * fake-indexeddb factory underneath, with opens that throw or hang,
 * transactions that abort with a chosen error at commit, connections that
 * close silently or by force, and counters of what the stores did.
 */
import { forceCloseDatabase, IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, expect, vi } from 'vitest';
import type { LikewiseEvent } from '../../src/types';

/** How the next matching readwrite transactions fail. */
export type Fault =
  /** The transaction aborts at commit with `tx.error = error()` (quota, UnknownError...). */
  | { kind: 'abort'; error: () => unknown }
  /** The connection is lost mid-write: the transaction aborts and the connection closes (`close` event). */
  | { kind: 'close' }
  /**
   * The transaction hangs: no request succeeds or fails, no complete, error or
   * abort event (Chromium's storage buckets on a loaded machine, seen in
   * headless Chromium 156). Nothing it was given is written.
   */
  | { kind: 'stall' };

/** A factory with knobs and counters; pass `factory` to the stores. */
export interface FaultyIndexedDB {
  factory: IDBFactory;
  /** The fake-indexeddb factory underneath (for raw access that bypasses faults). */
  real: IDBFactory;
  /** How `open()` behaves: `slow` succeeds only `openDelay` ms after the database opened. */
  open: 'ok' | 'throw' | 'hang' | 'error' | 'slow';
  /** How late a `slow` open reports success (ms). */
  openDelay: number;
  /** Hide `databases()` (older Firefox). */
  noDatabases: boolean;
  /** Names passed to `open()`, in order. */
  opened: string[];
  /** Database names of the readwrite transactions started, in order. */
  writes: string[];
  /** Names passed to `deleteDatabase()`. */
  deleted: string[];
  /** Connections handed out, in order. */
  connections: IDBDatabase[];
  /** The next `count` readwrite transactions on `db` (every database when omitted) fail with `fault`. */
  fail(fault: Fault, count?: number, db?: string): void;
}

const abortAtCommit = (tx: IDBTransaction, error: unknown) => {
  let handler: unknown = null;
  let aborted = false;
  const abort = () => {
    if (aborted) return;
    aborted = true;
    tx.abort();
    Object.defineProperty(tx, 'error', { value: error, configurable: true });
  };
  // Both idb-keyval and our store await the transaction last (promisifyRequest
  // sets oncomplete): abort right then, as a browser does when a commit fails.
  Object.defineProperty(tx, 'oncomplete', {
    configurable: true,
    get: () => handler,
    set(fn) {
      handler = fn;
      abort();
    },
  });
  // An explicit commit() fails the same way.
  tx.commit = abort;
};

const closeMidWrite = (tx: IDBTransaction, db: IDBDatabase) => {
  const objectStore = tx.objectStore.bind(tx);
  let done = false;
  tx.objectStore = (name: string) => {
    const store = objectStore(name);
    const put = store.put.bind(store);
    store.put = (value: unknown, key?: IDBValidKey) => {
      const request = put(value, key);
      if (!done) {
        done = true;
        tx.abort();
        forceCloseDatabase(db as never);
      }
      return request;
    };
    return store;
  };
};

const silent = (target: object, names: string[]) => {
  for (const name of names)
    Object.defineProperty(target, name, { configurable: true, get: () => null, set() {} });
};

const stall = (tx: IDBTransaction) => {
  silent(tx, ['oncomplete', 'onabort', 'onerror']);
  tx.commit = () => {};
  // Each call on the store returns a request that never settles, and does nothing.
  tx.objectStore = () =>
    new Proxy({} as IDBObjectStore, {
      get: (_, key) =>
        key === 'transaction'
          ? tx
          : () => {
              const request = {};
              silent(request, ['onsuccess', 'onerror']);
              return request;
            },
    });
};

/** Creates a fresh fault-injecting factory (a new, empty origin). */
export function faultyIndexedDB(): FaultyIndexedDB {
  const real = new IDBFactory();
  const faults: { fault: Fault; count: number; db?: string }[] = [];
  const patch = (db: IDBDatabase) => {
    f.connections.push(db);
    const transaction = db.transaction.bind(db);
    db.transaction = ((names: string | string[], mode?: IDBTransactionMode) => {
      const tx = transaction(names, mode);
      if (mode === 'readwrite') {
        f.writes.push(db.name);
        const entry = faults.find((x) => x.count > 0 && (x.db === undefined || x.db === db.name));
        if (entry) {
          entry.count--;
          if (entry.fault.kind === 'abort') abortAtCommit(tx, entry.fault.error());
          else if (entry.fault.kind === 'stall') stall(tx);
          else closeMidWrite(tx, db);
        }
      }
      return tx;
    }) as IDBDatabase['transaction'];
  };
  const factory = {
    open(name: string, version?: number) {
      f.opened.push(name);
      if (f.open === 'throw') throw new DOMException('The operation is insecure.', 'SecurityError');
      if (f.open === 'hang') return {} as IDBOpenDBRequest;
      if (f.open === 'error') {
        // A denied open (cross-site iframe, private mode): the request fails.
        const denied = {} as { error?: DOMException; onerror?: () => void };
        setTimeout(() => {
          denied.error = new DOMException('Access denied', 'UnknownError');
          denied.onerror?.();
        }, 0);
        return denied as unknown as IDBOpenDBRequest;
      }
      const request = version === undefined ? real.open(name) : real.open(name, version);
      if (f.open === 'slow') {
        // A busy disk: the database opens, but the page hears of it late.
        const late = {
          onupgradeneeded: null as (() => void) | null,
          onsuccess: null as (() => void) | null,
          onerror: null as (() => void) | null,
          get result() {
            return request.result;
          },
          get error() {
            return request.error;
          },
        };
        request.onupgradeneeded = () => late.onupgradeneeded?.();
        request.onerror = () => late.onerror?.();
        request.onsuccess = () => {
          patch(request.result);
          setTimeout(() => late.onsuccess?.(), f.openDelay);
        };
        return late as unknown as IDBOpenDBRequest;
      }
      // addEventListener listeners run before on* handlers: patch before the store sees the db.
      request.addEventListener('success', () => patch(request.result));
      return request;
    },
    deleteDatabase(name: string) {
      f.deleted.push(name);
      return real.deleteDatabase(name);
    },
    cmp: (a: unknown, b: unknown) => real.cmp(a, b),
    get databases() {
      return f.noDatabases ? undefined : () => real.databases();
    },
  } as unknown as IDBFactory;
  const f: FaultyIndexedDB = {
    factory,
    real,
    open: 'ok',
    openDelay: 0,
    noDatabases: false,
    opened: [],
    writes: [],
    deleted: [],
    connections: [],
    fail(fault, count = 1, db) {
      faults.push({ fault, count, db });
    },
  };
  return f;
}

/** Names of the databases that exist in `factory`. */
export async function databaseNames(factory: IDBFactory): Promise<string[]> {
  return (await factory.databases()).map((d) => d.name!).sort();
}

const rawOpen = (factory: IDBFactory, name: string) =>
  new Promise<IDBDatabase>((resolve, reject) => {
    const r = factory.open(name);
    r.onupgradeneeded = () => r.result.createObjectStore('kv');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });

/** Writes records straight into a database, bypassing the stores (tampering). */
export async function rawPut(factory: IDBFactory, name: string, records: [IDBValidKey, unknown][]) {
  const db = await rawOpen(factory, name);
  await new Promise<void>((resolve, reject) => {
    const tx = db.transaction('kv', 'readwrite');
    for (const [k, v] of records) tx.objectStore('kv').put(v, k);
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
  });
  db.close();
}

/** Every `[key, value]` of a database, read straight from it. */
export async function rawEntries(
  factory: IDBFactory,
  name: string,
): Promise<[IDBValidKey, unknown][]> {
  const db = await rawOpen(factory, name);
  const store = db.transaction('kv').objectStore('kv');
  const [keys, values] = await Promise.all(
    [store.getAllKeys(), store.getAll()].map(
      (r) =>
        new Promise<unknown[]>((resolve, reject) => {
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        }),
    ),
  );
  db.close();
  return keys.map((k, i) => [k as IDBValidKey, values[i]]);
}

/** A valid event number `i`: ts grows with `i`, items cycle over `item-0`..`item-6`. */
export function event(i: number, over: Partial<LikewiseEvent> = {}): LikewiseEvent {
  return {
    id: `ev-${i}`,
    type: 'view',
    ts: 1_700_000_000_000 + i,
    session: 's-1',
    itemId: `item-${i % 7}`,
    ...over,
  };
}

/** Events `from` .. `to - 1`. */
export function events(from: number, to: number, over?: Partial<LikewiseEvent>): LikewiseEvent[] {
  return Array.from({ length: to - from }, (_, i) => event(from + i, over));
}

/**
 * Fails the current test if any promise rejection goes unhandled during it
 * (RELIABILITY: 0 unhandled rejections). Call once at the top of a file.
 */
export function failOnUnhandledRejections(): void {
  const seen: unknown[] = [];
  const listener = (reason: unknown) => seen.push(reason);
  beforeEach(() => {
    seen.length = 0;
    process.on('unhandledRejection', listener);
  });
  afterEach(async () => {
    vi.useRealTimers();
    // Let late rejections surface before checking.
    await new Promise((r) => setTimeout(r, 20));
    process.off('unhandledRejection', listener);
    expect(seen).toEqual([]);
  });
}
