import type { LikewiseCore } from './createCore';
import { checkRender } from './widgets/checkRender';
import type { RenderOptions } from './widgets/render';

/** `lw.render`'s options: a widget's, plus the slot's name. */
export type InstanceRenderOptions = RenderOptions & { widget?: string };

/**
 * `lw.render()`: checks at once (misuse throws `INVALID_OPTION`, see
 * `checkRender`), then renders once the widget part has loaded.
 * Until then its cleanup only keeps the widget from starting.
 *
 * @param stopped - true once the instance is destroyed: nothing starts after that
 */
export function createRender(
  core: LikewiseCore,
  stopped: () => boolean,
): (element: HTMLElement, options: InstanceRenderOptions) => () => void {
  return (element, o) => {
    checkRender(element, { ...core.options.widgets, ...o });
    let stop: (() => void) | undefined;
    let alive = true;
    core.widgets().then((w) => {
      if (alive && !stopped()) stop = w.render(element, o);
    }, core.report);
    return () => {
      alive = false;
      stop?.();
    };
  };
}
