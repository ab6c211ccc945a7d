import { LikewiseError } from '../errors';
import { show } from '../shared/checkValue';
import { checkEvent } from '../shared/eventSchema';
import type { TrackInput } from '../types';

export {
  isAmount,
  isCurrency,
  isText,
  MAX_EVENT_BYTES,
  MAX_TEXT_LENGTH,
  MAX_TS,
} from '../shared/eventSchema';

/**
 * Checks what a host page passed to `lw.track()` and returns a normalised copy
 * that holds only the documented {@link TrackInput} fields: anything else (an
 * e-mail, a user name...) is dropped, never stored (data minimisation), and
 * so is a documented field set to `null`.
 *
 * Throws a {@link LikewiseError} with code `INVALID_EVENT` and the one
 * schema's reason (`checkEvent` in `src/shared/eventSchema.ts`, which the
 * collector applies too), `<v>` being the offending value (see `show`):
 * - `<field> must be <rule>, got <v>.`, e.g. `event must be an object, got 5.`,
 *   `type must be one of view, click, add_to_cart, remove_from_cart, purchase, search, impression, dismiss, got "veiw".`,
 *   `itemId must be a string of 1 to 256 characters, got "".`,
 *   `items[2].price must be a finite number >= 0, got -1.`
 * - `event "view" needs an itemId.` (view, click, impression, dismiss; the
 *   cart events and purchase: `an itemId or items`; search: `a query`)
 * - `event is larger than 2048 bytes (<n>).`
 * - `event cannot be read.` (a getter or a proxy threw; the error is its `cause`)
 *
 * @param input - anything; typically `{ type: 'view', itemId: 'sku-1' }`
 * @returns the normalised event input
 * @example
 * validateEvent({ type: 'view', itemId: 'sku-1', email: 'a@b.c' }) // { type: 'view', itemId: 'sku-1' }
 */
export function validateEvent(input: unknown): TrackInput {
  let r: ReturnType<typeof checkEvent>;
  try {
    r = checkEvent(input);
  } catch (e) {
    // A throwing getter, a revoked Proxy...: refused like any bad event.
    throw new LikewiseError('INVALID_EVENT', 'event cannot be read.', e);
  }
  if (r.ok) return r.event as unknown as TrackInput;
  throw new LikewiseError(
    'INVALID_EVENT',
    r.rule ? `${r.error}, got ${show(r.value)}.` : r.error + '.',
  );
}
