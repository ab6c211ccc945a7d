import { LikewiseError } from '../errors';
import { checkRules, checkScenario } from '../model/checkRequest';
import type { RenderOptions } from './render';

/**
 * The checks `render` makes at once, apart from the renderer: the
 * script-tag core makes them before the widget code has loaded, so misuse
 * still throws at the call. Throws `INVALID_OPTION` with `render: container
 * must be an element`, `render: unknown type "x"; expected one of ...`,
 * `render: "similar" needs an itemId`, `render: title must be a string`,
 * `render: limit must be an integer from 1 to 50`, `render: template must
 * be a function or a <template> element`, or a rule's message as
 * `recommend` words it (`render: rules.maxPrice must be a number`; `inStock`
 * may also be `true`, as markup gives it).
 *
 * @example checkRender(el, { type: 'similar', itemId: 'sku-1' })
 */
export function checkRender(container: unknown, options: RenderOptions | undefined): void {
  const misuse = (message: string): never => {
    throw new LikewiseError('INVALID_OPTION', 'render: ' + message);
  };
  if ((container as Node | null)?.nodeType !== 1) misuse('container must be an element');
  checkScenario('render', options);
  const title = options?.title;
  if (title != null && typeof title !== 'string') misuse('title must be a string');
  const template = options?.template;
  if (template && typeof template !== 'function' && template.nodeName !== 'TEMPLATE')
    misuse('template must be a function or a <template> element');
  const rules = options?.rules;
  checkRules('render', rules?.inStock === true ? { ...rules, inStock: undefined } : rules);
}
