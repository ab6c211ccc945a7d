import type { PartLoader } from './createPartLoader';
import type { observePage } from './observePage';

/**
 * {@link observePage} from the `observe` part, loaded at the first
 * `lw.observe()`: the npm build's, so a storefront that never observes never
 * loads it (the script tag observes every page: its core holds the module).
 * The cleanup also stops a start whose part is still loading; a part that
 * will not load goes to `core.report`.
 *
 * @param load - the entry's part loader
 * @example createLikewise(options, { load, observePage: observeLater(load) })
 */
export const observeLater =
  (load: PartLoader): typeof observePage =>
  (core, root, render) => {
    let stop: (() => void) | undefined;
    let on = true;
    load('observe').then((m) => {
      if (on) stop = m.observePage(core, root, render);
    }, core.report);
    return () => {
      on = false;
      stop?.();
    };
  };
