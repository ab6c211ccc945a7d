/** Name of the one object store in every likewise database. */
export const STORE_NAME = 'kv';

/**
 * Opens (creating if needed) a likewise database with a single `kv` object
 * store, rejecting after `timeout` ms: Safari's `open` can hang forever. A
 * connection that arrives after the timeout is closed so it blocks nobody.
 *
 * @param factory - The IndexedDB factory; `undefined` means the global `indexedDB`.
 * @param name - Database name.
 * @param timeout - Milliseconds before giving up.
 * @returns The open connection; rejects (never throws) when IndexedDB is
 *   missing, denied, broken or too slow.
 */
export function openDatabase(
  factory: IDBFactory | undefined,
  name: string,
  timeout: number,
): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    // A missing global or a denied open throws here and becomes a rejection.
    const request = (factory || indexedDB).open(name);
    let late = false;
    const timer = setTimeout(() => {
      late = true;
      reject(new Error(`IndexedDB open timed out: ${name}`));
    }, timeout);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE_NAME);
    request.onsuccess = () => {
      clearTimeout(timer);
      if (late) request.result.close();
      else resolve(request.result);
    };
    request.onerror = () => {
      clearTimeout(timer);
      reject(request.error);
    };
  });
}
