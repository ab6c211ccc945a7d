import { isLikewiseError, LikewiseError } from '../errors';
import { checkValue } from '../shared/checkValue';

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
 * `LikewiseError`; the other calls still run. A call that is not an array
 * naming one of the target's own methods is `queued call must be [method,
 * ...args], got <v>.` (code `INVALID_INPUT`, `<v>` the call's method, or the
 * call, as `show` renders it). A method's own LikewiseErrors (e.g.
 * `INVALID_EVENT`) are passed on as they are; anything else it throws
 * becomes `queued call failed: <message>` (`INVALID_INPUT`).
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
  const fail = (e: unknown) =>
    onError(
      isLikewiseError(e)
        ? e
        : new LikewiseError(
            'INVALID_INPUT',
            `queued call failed: ${(e as Error)?.message ?? e}`,
            e,
          ),
    );
  const call = (c: unknown) => {
    try {
      const name = Array.isArray(c) ? c[0] : c;
      const f = (target as Record<string, unknown>)[name];
      // Only the instance's own API: nothing from Object.prototype (`constructor`, `__proto__`).
      if (c !== name && Object.hasOwn(target, name) && typeof f === 'function')
        Promise.resolve(f.apply(target, (c as unknown[]).slice(1))).catch(fail);
      else checkValue(name, [() => 0, '[method, ...args]'], 'queued call', 'INVALID_INPUT');
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
