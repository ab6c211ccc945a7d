import { LikewiseError } from '../errors';
import { SCENARIOS } from '../shared/eventSchema';
import type { RenderOptions } from './render';

/**
 * The checks `render` makes at once, apart from the renderer: the
 * script-tag core makes them before the widget code has loaded, so misuse
 * still throws at the call. Throws `INVALID_OPTION` with `render: container
 * must be an element`, `render: unknown type "x"; expected one of ...`,
 * `render: "similar" needs an itemId`, `render: title must be a string`,
 * `render: limit must be an integer from 1 to 50` or `render: template must
 * be a function or a <template> element`.
 *
 * @example checkRender(el, { type: 'similar', itemId: 'sku-1' })
 */
export function checkRender(container: unknown, options: RenderOptions | undefined): void {
  const misuse = (message: string): never => {
    throw new LikewiseError('INVALID_OPTION', 'render: ' + message);
  };
  if ((container as Node | null)?.nodeType !== 1) misuse('container must be an element');
  const { type, itemId, template, title, limit = 8 } = options ?? ({} as RenderOptions);
  if (!SCENARIOS.includes(type))
    misuse(`unknown type ${JSON.stringify(type)}; expected one of ${SCENARIOS.join(', ')}`);
  if (type === 'similar' && !(typeof itemId === 'string' && itemId))
    misuse('"similar" needs an itemId');
  if (title != null && typeof title !== 'string') misuse('title must be a string');
  if (!Number.isInteger(limit) || limit < 1 || limit > 50)
    misuse('limit must be an integer from 1 to 50');
  if (template && typeof template !== 'function' && template.nodeName !== 'TEMPLATE')
    misuse('template must be a function or a <template> element');
}
