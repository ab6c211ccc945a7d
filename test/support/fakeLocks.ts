/**
 * A stand-in for `navigator.locks` (Web Locks, exclusive mode only): each
 * name's requests run one at a time, in the order asked; a request resolves
 * with its callback's result once the callback's promise settles, which
 * releases the lock; one whose `signal` aborts before it gets the lock
 * rejects with the signal's reason. `held` names the locks held now. `denied`: every
 * request rejects with a `SecurityError` and its callback never runs, as
 * in a cross-site or sandboxed frame (seen in Chromium 156).
 */
export function fakeLocks(denied = false) {
  const tails = new Map<string, Promise<unknown>>();
  const held = new Set<string>();
  return {
    held,
    request<T>(
      name: string,
      options: { signal?: AbortSignal } | (() => T | Promise<T>),
      given?: () => T | Promise<T>,
    ): Promise<T> {
      const callback = (typeof options === 'function' ? options : given) as () => T | Promise<T>;
      const signal = typeof options === 'function' ? undefined : options.signal;
      if (denied)
        return Promise.reject(new DOMException('The request was denied.', 'SecurityError'));
      const before = tails.get(name) ?? Promise.resolve();
      // Given up when `signal` aborts first: rejects with its reason, the callback never runs.
      let gaveUp = false;
      const waited = signal
        ? Promise.race([
            before,
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => {
                gaveUp = true;
                reject(signal.reason);
              }),
            ),
          ])
        : before;
      const run = waited.then(async () => {
        if (gaveUp) throw signal?.reason;
        held.add(name);
        try {
          return await callback();
        } finally {
          held.delete(name);
        }
      });
      // The next request waits for the holder before this one too (a request given up holds nothing).
      tails.set(name, Promise.all([before, run.catch(() => {})]));
      return run;
    },
  };
}
