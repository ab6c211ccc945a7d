import type { Scenario } from '../types';
import type { RenderOptions } from './render';

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
 * Values are passed on unchecked: `render` validates them.
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
  const get = (name: string) => el.getAttribute(name) ?? undefined;
  const flag = (name: string) => {
    const v = get(prefix + name);
    return v === undefined ? undefined : v !== 'false';
  };
  const limit = get(prefix + 'limit');
  return {
    type: get(typeAttr) as Scenario,
    itemId: get(prefix + 'item-id'),
    limit: limit ? Number(limit) : undefined,
    title: get(titleAttr),
    collapseEmpty: flag('collapse-empty'),
    lazy: flag('lazy'),
    showReason: flag('show-reason'),
    dismissible: flag('dismissible'),
  };
}
