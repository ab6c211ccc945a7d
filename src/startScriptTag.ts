import {
  createLikewise,
  type Likewise,
  type LikewiseDeps,
  type LikewiseOptions,
} from './createLikewise';
import { warn } from './createReporter';
import { isLikewiseError, LikewiseError } from './errors';
import { nextTask } from './nextTask';
import { observePage } from './observePage';
import { isOff, readScriptConfig } from './readScriptConfig';
import { safeUrl } from './shared/safeUrl';
import { autoTrack } from './track/autoTrack';
import { type CallQueue, type QueuedCall, replayQueue } from './track/replayQueue';

/** `window.Likewise` once the script-tag build has loaded. */
export interface LikewiseGlobal extends CallQueue {
  createLikewise: typeof createLikewise;
  isLikewiseError: typeof isLikewiseError;
  LikewiseError: typeof LikewiseError;
  /** The instance started from the tag's `data-site` (or by `start()`); `undefined` before. */
  instance?: Likewise;
  /**
   * Not API: the core's helpers that the tag's on-demand parts use instead
   * of a copy of their own (`FROM_CORE` in rollup.config.mjs).
   */
  shared: Record<string, unknown>;
  /**
   * Starts the page's instance from code when the tag has no `data-site`, and
   * replays the queued calls into it. Returns the running instance if there
   * already is one. Throws `INVALID_OPTION` like `createLikewise`.
   */
  start(options: LikewiseOptions): Likewise;
}

/**
 * What the script-tag build runs when it loads: sets `window.Likewise` to the
 * public namespace (its only global), reads its own tag's `data-*`
 * attributes (`document.currentScript`, else the first
 * `script[src*="likewise"][data-site]`) and, when `data-site` is there,
 * starts an instance (`Likewise.instance`, auto-tracking on) and replays the
 * calls the page queued with `Likewise.push([...])` before the script loaded.
 * Never throws: a bad attribute or call is reported with `console.warn`
 * (or the instance's `onError`). Loading it twice keeps the first namespace.
 *
 * @param win - the page's window
 * @param deps - passed to `createLikewise` (tests)
 * @returns the namespace now at `window.Likewise`
 */
export function startScriptTag(win: Window, tagDeps?: LikewiseDeps): LikewiseGlobal {
  // The tag auto-tracks and observes every page: both are in its core, not parts.
  const deps = { autoTrack, observePage, ...tagDeps };
  const w = win as Window & { Likewise?: LikewiseGlobal | QueuedCall[] };
  const old = w.Likewise;
  if (old && 'start' in old) return old;
  // Calls queued before load wait in the stub array until an instance exists.
  let queue: CallQueue = Array.isArray(old) ? old : [];
  const ns: LikewiseGlobal = {
    // With the tag's part loaders: an instance made from code loads its parts too.
    createLikewise: (options, more) => createLikewise(options, { ...deps, ...more }),
    isLikewiseError,
    LikewiseError,
    shared: { safeUrl, nextTask },
    push: (...calls) => queue.push(...calls),
    start(options) {
      if (!ns.instance) {
        ns.instance = createLikewise(options, deps);
        queue = replayQueue(queue, ns.instance, options.onError ?? warn);
      }
      return ns.instance;
    },
  };
  w.Likewise = ns;
  try {
    const doc = win.document;
    const script = doc.currentScript ?? doc.querySelector('script[src*="likewise"][data-site]');
    const options = readScriptConfig(script);
    if (options) {
      const lw = ns.start(options);
      // The tag fills the page's widgets too, unless data-widgets="false", in
      // the next task: the script's own start stays one short task.
      if (!isOff((script as HTMLElement).dataset.widgets))
        nextTask()
          .then(() => lw.observe(doc))
          .catch(warn);
    }
  } catch (e) {
    warn(e as Error);
  }
  return ns;
}
