import { isLikewiseError, LikewiseError } from './errors';

/**
 * Where an instance's background failures go: `onError` (default
 * `console.warn`), each as a `LikewiseError` (anything else is wrapped as
 * `STORAGE`, `Storage failed: <message>`, with it as the cause). Never
 * throws, even when `onError` does.
 *
 * @example const report = createReporter(options.onError); report(new Error('x'))
 */
export function createReporter(onError?: (error: LikewiseError) => void): (e: unknown) => void {
  const to = onError ?? ((x: LikewiseError) => console.warn('[likewise]', x.message));
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
