import type { Scenario } from '../types';
import type { RenderOptions } from './render';

/**
 * Runs `fn` (if any) and returns its result; what it throws goes to `onError`
 * (shared by `observeContainers` and `defineLikewiseElement`).
 */
export const attempt = <T>(onError: (error: unknown) => void, fn?: () => T): T | undefined => {
  try {
    return fn?.();
  } catch (e) {
    onError(e);
  }
};

/** The option attributes shared by containers (with `data-`) and `<likewise-recs>` (without). */
export const WIDGET_ATTRIBUTES = [
  'item-id',
  'limit',
  'collapse-empty',
  'lazy',
  'show-reason',
  'dismissible',
];

/**
 * Reads {@link RenderOptions} from an element's attributes: `<prefix>item-id`,
 * `<prefix>limit`, `<prefix>collapse-empty`, `<prefix>lazy`,
 * `<prefix>show-reason`, `<prefix>dismissible` (booleans: present and not
 * `"false"`), the type from `typeAttr` and the heading from `titleAttr`.
 * Absent attributes leave their option out. Values are passed on unchecked:
 * `render` validates them.
 *
 * @example
 * optionsFromAttributes(el, 'data-', 'data-likewise', 'data-title')
 */
export function optionsFromAttributes(
  el: Element,
  prefix: string,
  typeAttr: string,
  titleAttr: string,
): RenderOptions {
  const options: Record<string, unknown> = {
    type: (el.getAttribute(typeAttr) ?? undefined) as Scenario,
  };
  const title = el.getAttribute(titleAttr);
  if (title !== null) options.title = title;
  WIDGET_ATTRIBUTES.forEach((name, i) => {
    const value = el.getAttribute(prefix + name);
    // item-id is a string, limit a number (empty: the default), the rest are flags.
    if (value !== null)
      options[name.replace(/-(.)/, (_, c) => c.toUpperCase())] =
        i > 1 ? value !== 'false' : i ? (value ? Number(value) : undefined) : value;
  });
  return options as unknown as RenderOptions;
}
