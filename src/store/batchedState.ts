// Imported by the measurement part only (the outbox), so the core does not
// carry it: the core's own state calls are few (consent, the visitor id).
// It imports nothing at run time: an import of the core's `request` made the
// npm build's core chunk export it, bytes on every page.
import type { Connection } from './createConnection';
import type { StateStore } from './types';

/** The calls of a {@link StateStore} that {@link batchedState} batches (and `keys`, passed through). */
export type KeyValue = Pick<StateStore, 'get' | 'set' | 'del' | 'keys'>;

type Op = (s: IDBObjectStore) => unknown;

/**
 * The state store's `get`, `set` and `del` with every call made in one
 * tick (before the next microtask checkpoint ends) in one transaction, in
 * the order they were made, instead of a transaction each. The outbox keeps
 * each event under its own key and deletes it once sent: a burst of 2,000
 * events was 4,000 transactions. Each call still does what the state
 * store's does (its memory copy for memory mode included), and the batch
 * goes through the store's `run`: retried on a new connection when it fails
 * or hangs, then memory mode. A store that is not a connection (a test's
 * stand-in) is returned as it is.
 *
 * @example const kv = batchedState(state); await Promise.all(ids.map((id) => kv.del('outbox:' + id)))
 */
export function batchedState(store: KeyValue): KeyValue {
  const c = store as KeyValue & Partial<Connection>;
  const mem = c.mem;
  if (!c.run || !mem) return store;
  let ops: Op[] | undefined;
  let results: Promise<unknown[]>;
  const call = (op: Op): Promise<unknown> => {
    if (!ops) {
      const batch: Op[] = [];
      ops = batch;
      // Run again from the start on a new connection when an attempt fails.
      results = Promise.resolve().then(() => {
        ops = undefined;
        return c.run!((s) => Promise.all(batch.map((o) => o(s))));
      });
    }
    const at = ops.push(op) - 1;
    return results.then((r) => r[at]);
  };
  return {
    get: <T>(key: string) =>
      call(
        (s) =>
          new Promise((resolve, reject) => {
            const r = s.get(key);
            r.onsuccess = () => resolve(r.result);
            r.onerror = () => reject(r.error);
          }),
      ).then((v) => {
        if (v === undefined) mem.delete(key);
        else mem.set(key, v);
        return v as T | undefined;
      }),
    set: (key, value) => {
      mem.set(key, value);
      return call((s) => s.put(value, key)).then(() => {});
    },
    del: (key) => {
      mem.delete(key);
      return call((s) => s.delete(key)).then(() => {});
    },
    keys: () => store.keys(),
  };
}
