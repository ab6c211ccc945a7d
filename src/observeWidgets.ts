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
 * Renders a container's widget under its slot name (`data-likewise-widget`,
 * `data-widget` or, on `<likewise-recs>`, `widget`): the name tells two
 * widgets of one scenario apart in `report()`. Here, not in the core: only
 * pages with widget markup need it.
 */
const renderNamed =
  (render: (el: HTMLElement, o: RenderOptions & { widget?: string }) => () => void) =>
  (el: HTMLElement, o: RenderOptions): (() => void) =>
    render(el, {
      ...o,
      widget:
        el.getAttribute('data-likewise-widget') ??
        el.getAttribute('data-widget') ??
        el.getAttribute('widget') ??
        undefined,
    });

/**
 * Fills the `[data-likewise]` containers under `root` (now and later) with
 * `render`, each under its slot name, and defines `<likewise-recs>` (the
 * first instance's `render` serves it). Failures go to `report`.
 *
 * @returns a cleanup that stops observing and removes the widgets it rendered
 * @example const stop = observeWidgets(document, render, console.warn)
 */
export function observeWidgets(
  root: ParentNode,
  render: (el: HTMLElement, options: RenderOptions & { widget?: string }) => () => void,
  report: (error: unknown) => void,
): () => void {
  const named = renderNamed(render);
  const stop = observeContainers(root, named, { onError: report });
  try {
    defineLikewiseElement(named, undefined, report);
  } catch (e) {
    report(e);
  }
  return stop;
}
