import type { LikewiseCore } from './createCore';
import { runEach } from './createReporter';
import { onPrivacyLink } from './widgets/onPrivacyLink';
import type { RenderOptions } from './widgets/render';

/** Widget markup: a container, or the custom element. */
const WIDGET = '[data-likewise],likewise-recs';

/**
 * `lw.observe(root)`: privacy links and targeted content at once, and the
 * `containers` part with the widget part beside it only once `root` holds
 * widget markup (`[data-likewise]`, `<likewise-recs>`), now or later: a page
 * without widgets never loads widget code.
 * Failures go to `core.report`.
 *
 * @param render - the instance's checked `render` (the containers part names each slot)
 * @returns a cleanup
 */
export function observePage(
  core: LikewiseCore,
  root: ParentNode,
  render: (el: HTMLElement, o: RenderOptions & { widget?: string }) => () => void,
): () => void {
  let alive = true;
  const stops = [onPrivacyLink(root, (link) => core.extras((x) => x.openPrivacy(core, link)))];
  const keep = (f?: () => void) => f && (alive ? stops.push(f) : f());
  // Targeted content and re-ranked grids need the profile (an on-demand part).
  if (root.querySelector?.('[data-likewise-segment],[data-likewise-rerank]'))
    core.extras((x) => x.personalise(core, root)).then(keep);
  let watcher: MutationObserver | undefined;
  // True once widget markup is there: then the watch ends and the widgets start.
  const found = () => {
    if (!root.querySelector?.(WIDGET)) return;
    watcher?.disconnect();
    // Both at once: the containers' first render would otherwise ask for the widgets after it.
    core.widgets().catch(() => {});
    core
      .load('containers')
      .then((c) => alive && stops.push(c.observeWidgets(root, render, core.report)), core.report);
    return true;
  };
  const MO = globalThis.MutationObserver;
  if (!found() && MO) {
    watcher = new MO(found);
    watcher.observe(root as Node, {
      childList: true,
      subtree: true,
      attributeFilter: ['data-likewise'],
    });
    stops.push(() => watcher?.disconnect());
  }
  return () => {
    alive = false;
    runEach(stops, core.report);
  };
}
