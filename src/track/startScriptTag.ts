import {
  createLikewise,
  type Likewise,
  type LikewiseDeps,
  type LikewiseOptions,
} from '../createLikewise';
import { isLikewiseError, LikewiseError } from '../errors';
import { readScriptConfig } from './readScriptConfig';
import { type CallQueue, replayQueue } from './replayQueue';

/** `window.Likewise` once the script-tag build has loaded. */
export interface LikewiseGlobal extends CallQueue {
  createLikewise: typeof createLikewise;
  isLikewiseError: typeof isLikewiseError;
  LikewiseError: typeof LikewiseError;
  /** The instance started from the tag's `data-site` (or by `start()`); `undefined` before. */
  instance?: Likewise;
  /**
   * Starts the page's instance from code when the tag has no `data-site`, and
   * replays the queued calls into it. Returns the running instance if there
   * already is one. Throws `INVALID_OPTION` like `createLikewise`.
   */
  start(options: LikewiseOptions): Likewise;
}

const warn = (e: unknown) => console.warn('[likewise]', isLikewiseError(e) ? e.message : e);

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
export function startScriptTag(win: Window, deps?: LikewiseDeps): LikewiseGlobal {
  const w = win as Window & { Likewise?: unknown };
  const existing = w.Likewise as LikewiseGlobal | unknown[] | undefined;
  if (existing && !Array.isArray(existing) && typeof existing.start === 'function') return existing;
  // Calls queued before load wait here until an instance exists.
  let pending: unknown[] = Array.isArray(existing) ? existing.slice() : [];
  let runner: CallQueue | undefined;
  const ns: LikewiseGlobal = {
    createLikewise,
    isLikewiseError,
    LikewiseError,
    push: (...calls) => (runner ? runner.push(...calls) : pending.push(...calls)),
    start(options) {
      if (ns.instance) return ns.instance;
      const lw = createLikewise({ onError: warn, ...options }, deps);
      ns.instance = lw;
      runner = replayQueue(pending, lw, options.onError ?? warn);
      pending = [];
      return lw;
    },
  };
  w.Likewise = ns;
  try {
    const doc = win.document;
    const options = readScriptConfig(
      doc.currentScript ?? doc.querySelector('script[src*="likewise"][data-site]'),
    );
    if (options) ns.start(options);
  } catch (e) {
    warn(e);
  }
  return ns;
}
