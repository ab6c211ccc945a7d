/**
 * The declarative widgets of a page, an on-demand part (in the script tag's
 * `likewise.widgets.mjs`; a chunk of its own in the npm build): loaded only
 * when the page holds widget markup, so an npm page that renders from code
 * (or any page without widgets) never downloads it.
 */
import { defineLikewiseElement } from './widgets/defineElement';
import { observeContainers } from './widgets/observeContainers';
import type { RenderOptions } from './widgets/render';

/**
 * Fills the `[data-likewise]` containers under `root` (now and later) with
 * `render` and defines `<likewise-recs>` (the first instance's `render`
 * serves it). Failures go to `report`.
 *
 * @returns a cleanup that stops observing and removes the widgets it rendered
 * @example const stop = observeWidgets(document, render, console.warn)
 */
export function observeWidgets(
  root: ParentNode,
  render: (el: HTMLElement, options: RenderOptions) => () => void,
  report: (error: unknown) => void,
): () => void {
  const stop = observeContainers(root, render, { onError: report });
  try {
    defineLikewiseElement(render, undefined, report);
  } catch (e) {
    report(e);
  }
  return stop;
}
