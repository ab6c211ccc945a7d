/**
 * Deletes one database. Resolves with the error when deletion failed, and
 * with `undefined` when it succeeded or is still blocked after `wait` ms by
 * another connection (it then completes once that connection closes).
 * Never rejects.
 *
 * @param factory - The IndexedDB factory; `undefined` means the global `indexedDB`.
 * @param name - Database name.
 * @param wait - Longest wait in ms. Default 1000.
 */
export function deleteDatabase(
  factory: IDBFactory | undefined,
  name: string,
  wait = 1000,
): Promise<unknown> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, wait);
    const done = (error?: unknown) => {
      clearTimeout(timer);
      resolve(error);
    };
    try {
      const request = (factory || indexedDB).deleteDatabase(name);
      request.onsuccess = () => done();
      request.onerror = () => done(request.error || new Error(`Cannot delete ${name}`));
    } catch (e) {
      done(e);
    }
  });
}
