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

/** Business-rule attributes, read into `options.rules`. */
const RULE_ATTRIBUTES = [
  'category',
  'min-price',
  'max-price',
  'exclude',
  'max-per-category',
  'in-stock',
];

/** The option attributes shared by containers (with `data-`) and `<likewise-recs>` (without). */
export const WIDGET_ATTRIBUTES: string[] = [
  'item-id',
  'limit',
  'collapse-empty',
  'lazy',
  'show-reason',
  'dismissible',
  ...RULE_ATTRIBUTES,
];

/**
 * Reads {@link RenderOptions} from an element's attributes: `<prefix>item-id`,
 * `<prefix>limit`, `<prefix>collapse-empty`, `<prefix>lazy`,
 * `<prefix>show-reason`, `<prefix>dismissible` (booleans: present and not
 * `"false"`), the type from `typeAttr` and the heading from `titleAttr`;
 * and business rules into `rules`: `<prefix>category` (comma-separated),
 * `<prefix>min-price`, `<prefix>max-price`, `<prefix>exclude` (ids separated
 * by spaces or commas), `<prefix>max-per-category`, `<prefix>in-stock` (flag).
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
  const rules: Record<string, unknown> = {};
  const list = (v: string) => v.split(/[\s,]+/).filter(Boolean);
  WIDGET_ATTRIBUTES.forEach((name, i) => {
    const value = el.getAttribute(prefix + name);
    if (value === null) return;
    const key = name.replace(/-(.)/g, (_, c) => c.toUpperCase());
    // Rules: lists, numbers (a bad one is refused by recommend()), and the in-stock flag.
    if (i > 5)
      rules[key] =
        key === 'category'
          ? value.split(',').map((c) => c.trim())
          : key === 'exclude'
            ? list(value)
            : key === 'inStock'
              ? value !== 'false' || undefined
              : Number(value);
    // item-id is a string, limit a number (empty: the default), the rest are flags.
    else options[key] = i > 1 ? value !== 'false' : i ? (value ? Number(value) : undefined) : value;
  });
  if (Object.keys(rules).length) options.rules = rules;
  return options as unknown as RenderOptions;
}
