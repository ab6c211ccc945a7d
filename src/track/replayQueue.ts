import { isLikewiseError, LikewiseError } from '../errors';
import { show } from '../shared/checkValue';

/** A queued call: `[method, ...args]`, e.g. `['track', { type: 'view', itemId: 'sku-1' }]`. */
export type QueuedCall = [string, ...unknown[]];

/** What replaces the host page's stub array: `push` runs calls at once. */
export interface CallQueue {
  /** Runs each call now, in order; returns how many were given (like `Array.prototype.push`). */
  push(...calls: QueuedCall[]): number;
}

/**
 * Replays the calls a host page queued before the script loaded, in order,
 * against `target`, and returns a `push`-compatible object so later
 * `Likewise.push([...])` calls run immediately. A bad call (not an array,
 * unknown method, a method that throws or rejects) goes to `onError` with a
 * `LikewiseError`; the other calls still run. Exact messages (code `INVALID_INPUT`,
 * `<v>` as `validateEvent`'s `show` renders it):
 * - `Queued call must be an array, got <v>.`
 * - `Unknown method <v> in queued call.` (only the target's own methods count)
 * A method's own LikewiseErrors (e.g. `INVALID_EVENT`) are passed on as they are;
 * anything else it throws becomes `Queued call failed: <message>` (`INVALID_INPUT`).
 *
 * @param queue - the stub array (`window.Likewise` before load); anything else counts as empty
 * @param target - the instance whose methods are called
 * @param onError - receives the bad calls
 * @example
 * window.Likewise = window.Likewise || []; Likewise.push(['track', { type: 'view', itemId: 'sku-1' }])
 * // later, in the script:
 * const q = replayQueue(window.Likewise, lw, console.warn)
 */
export function replayQueue(
  queue: unknown,
  target: object,
  onError: (error: LikewiseError) => void,
): CallQueue {
  const bad = (message: string, cause?: unknown) =>
    onError(new LikewiseError('INVALID_INPUT', message, cause));
  const fail = (e: unknown) =>
    isLikewiseError(e) ? onError(e) : bad(`Queued call failed: ${(e as Error)?.message ?? e}`, e);
  const call = (c: unknown) => {
    try {
      if (!Array.isArray(c)) bad(`Queued call must be an array, got ${show(c)}.`);
      else {
        const [name, ...args] = c;
        const f = (target as Record<string, unknown>)[name];
        // Only the instance's own API: nothing from Object.prototype (`constructor`, `__proto__`).
        if (Object.hasOwn(target, name) && typeof f === 'function')
          Promise.resolve(f.apply(target, args)).catch(fail);
        else bad(`Unknown method ${show(name)} in queued call.`);
      }
    } catch (e) {
      fail(e);
    }
  };
  if (Array.isArray(queue)) queue.forEach(call);
  return {
    push(...calls) {
      calls.forEach(call);
      return calls.length;
    },
  };
}
