// Part of the `erase` part: what a connection does only once IndexedDB has
// failed it (memory mode, the retry after a quota failure, a late open), so a
// page whose storage works never loads it. Imports nothing at run time (see ./connections).
import type { Connection } from './createConnection';

// A request that has already succeeded: `request` resolves it at once (it
// assigns onsuccess, which calls back here).
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

/**
 * Leaves memory mode: the next transaction writes back what memory holds,
 * under the same keys (so nothing is doubled and key order is kept), and
 * memory is emptied once that has committed.
 */
const heal = (c: Connection) => {
  c.mode = 'indexeddb';
  void c
    .run((s) => {
      c.mem.forEach((v, k) => void s.put(v, k));
    })
    .then(() => {
      if (c.mode !== 'memory') c.mem.clear();
    }, c.fail);
};

/**
 * A connection's operation once IndexedDB has failed it: runs `op` on a
 * stand-in over the connection's memory. After a quota failure (`quota`),
 * space may come back later in the page's life (another tab or the browser
 * frees some), so IndexedDB is tried again after `c.wait` ms, doubling up to
 * `c.most`; never once the site's data was erased (`c.wait` 0).
 */
export const runInMemory = <T>(
  c: Connection,
  op: (store: IDBObjectStore) => T | Promise<T>,
  quota: boolean,
): T | Promise<T> => {
  if (quota && c.wait && !c.timer) {
    c.timer = setTimeout(() => {
      c.timer = 0;
      if (c.wait) heal(c);
    }, c.wait);
    c.wait = Math.min(c.wait * 2, c.most);
  }
  c.mode = 'memory';
  return op(memoryStore(c.mem));
};

/**
 * An open that succeeded after memory mode began (a busy disk): its
 * connection `d` (as the promise `q`) is taken and memory written back,
 * unless the site was erased meanwhile or another connection is in use.
 */
export const takeLate = (c: Connection, d: IDBDatabase, q: Promise<IDBDatabase>): void => {
  if (!c.wait || c.db) d.close();
  else {
    c.db = q;
    heal(c);
  }
};

/**
 * Stops a connection for the rest of the page (its site's data is being
 * erased): memory mode, memory emptied, no retry, the connection closed.
 */
export const stopConnection = (c: Connection): void => {
  c.wait = 0;
  c.mode = 'memory';
  c.mem.clear();
  c.close();
};
