/**
 * Full garbage collections on demand, for the CLI's big typed-array work.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * A full garbage collection on demand. The build's arrays are large and the
 * JS heap tiny, so V8 sees no reason to collect before the next big array
 * comes: without this, each phase's dead arrays (the log, the id tables, a
 * matrix side) stay resident beside the next phase's and set the peak.
 * A no-op where the runtime refuses the flag.
 */
export function garbageCollector(): () => void {
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    // Twice: a collection frees some array buffers only when the next one
    // starts (their sweeping is deferred), and those are the big ones here.
    if (typeof gc === 'function')
      return () => {
        gc();
        gc();
      };
  } catch {
    // Fall back to V8's own schedule.
  }
  return () => {};
}
