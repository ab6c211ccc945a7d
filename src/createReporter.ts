import { isLikewiseError, LikewiseError } from './errors';

/** Runs each of `fns` (emptying the list); what one throws goes to `report`, and the rest still run. */
export const runEach = (fns: (() => void)[], report: (e: unknown) => void): void => {
  for (const f of fns.splice(0))
    try {
      f();
    } catch (e) {
      report(e);
    }
};

/** The default `onError`: `console.warn('[likewise]', message)`. */
export const warn = (e: Error): void => console.warn('[likewise]', e.message);

/**
 * Where an instance's background failures go: `onError` (default
 * `console.warn`), each as a `LikewiseError` (anything else is wrapped as
 * `STORAGE`, `Storage failed: <message>`, with it as the cause). Never
 * throws, even when `onError` does.
 *
 * @example const report = createReporter(options.onError); report(new Error('x'))
 */
export function createReporter(onError?: (error: LikewiseError) => void): (e: unknown) => void {
  const to = onError ?? warn;
  return (e) => {
    try {
      to(
        isLikewiseError(e)
          ? e
          : new LikewiseError('STORAGE', `Storage failed: ${(e as Error)?.message ?? e}`, e),
      );
    } catch {
      // A throwing onError must not turn a handled failure into a page error.
    }
  };
}
