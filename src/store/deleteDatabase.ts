/**
 * Deletes one database. Resolves when it is gone, or after 1 s when another
 * connection still blocks it (it then completes once that connection
 * closes). Never rejects: a failure goes to `fail`.
 *
 * @param factory - The IndexedDB factory; `undefined` means the global
 *   `indexedDB`, `null` none (nothing to delete, nothing to report).
 * @param name - Database name.
 * @param fail - Receives the failure (see `failure` in createConnection).
 */
export const deleteDatabase = (
  factory: IDBFactory | null | undefined,
  name: string,
  fail: (error: unknown) => void,
): Promise<void> =>
  factory === null
    ? Promise.resolve()
    : new Promise<void>((resolve, reject) => {
        setTimeout(resolve, 1000);
        // A missing global throws here and becomes a rejection.
        const r = (factory || indexedDB).deleteDatabase(name);
        r.onsuccess = () => resolve();
        r.onerror = () => reject(r.error);
      }).catch(fail);
