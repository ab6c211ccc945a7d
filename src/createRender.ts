import type { LikewiseCore } from './createCore';
import { LikewiseError } from './errors';
import { show } from './track/validateEvent';
import { checkRender } from './widgets/checkRender';
import type { RenderOptions } from './widgets/render';

/** `lw.render`'s options: a widget's, plus the slot's name. */
export type InstanceRenderOptions = RenderOptions & { widget?: string };

/**
 * `lw.render()`: checks at once (misuse throws `INVALID_OPTION`, see
 * `checkRender`, and `render: widget must be a string of 1 to 64
 * characters, got <v>`), then renders once the widget part has loaded.
 * Until then its cleanup only keeps the widget from starting.
 *
 * @param stopped - true once the instance is destroyed: nothing starts after that
 */
export function createRender(
  core: LikewiseCore,
  stopped: () => boolean,
): (element: HTMLElement, options: InstanceRenderOptions) => () => void {
  return (element, o) => {
    const widget = o?.widget ?? o?.type;
    if (o?.widget !== undefined && !(typeof widget === 'string' && widget && widget.length <= 64))
      throw new LikewiseError(
        'INVALID_OPTION',
        `render: widget must be a string of 1 to 64 characters, got ${show(o.widget)}`,
      );
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
