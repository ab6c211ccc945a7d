/**
 * A stand-in for `navigator.locks` (Web Locks, exclusive mode only): each
 * name's requests run one at a time, in the order asked; a request resolves
 * with its callback's result once the callback's promise settles, which
 * releases the lock. `held` names the locks held now. `denied`: every
 * request rejects with a `SecurityError` and its callback never runs, as
 * in a cross-site or sandboxed frame (seen in Chromium 156).
 */
export function fakeLocks(denied = false) {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  return {
    held,
    request<T>(name: string, callback: () => T | Promise<T>): Promise<T> {
      if (denied)
        return Promise.reject(new DOMException('The request was denied.', 'SecurityError'));
      const before = tails.get(name) ?? Promise.resolve();
      const run = before.then(async () => {
        held.add(name);
        try {
          return await callback();
        } finally {
          held.delete(name);
        }
      });
      tails.set(
        name,
        run.catch(() => {}),
      );
      return run;
    },
  };
}
