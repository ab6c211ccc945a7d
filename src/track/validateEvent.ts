import { isLikewiseError, LikewiseError } from '../errors';
import { checkEvent, EVENT_TYPES, isStoredShape } from '../shared/eventSchema';
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
 * Event types a host page is told about (in error messages and docs): all but
 * `impression` and `dismiss`, which the SDK records itself (widgets).
 */
const PUBLIC_TYPES = EVENT_TYPES.filter((t) => t !== 'impression' && t !== 'dismiss').join(', ');

/**
 * A short, safe rendering of a bad value for an error message: strings quoted
 * (cut at 40 characters, with their length), numbers and the like as written,
 * arrays as `array` (`[]` when empty), other objects as `object`.
 */
export const show = (v: unknown): string =>
  typeof v === 'string'
    ? v.length > 40
      ? `${JSON.stringify(v.slice(0, 40) + '…')} (${v.length} characters)`
      : JSON.stringify(v)
    : v && typeof v === 'object'
      ? Array.isArray(v)
        ? v.length
          ? 'array'
          : '[]'
        : 'object'
      : String(v);

const fail = (message: string): never => {
  throw new LikewiseError('INVALID_EVENT', message);
};

/**
 * Checks what a host page passed to `lw.track()` and returns a normalised copy
 * that holds only the documented {@link TrackInput} fields: anything else (an
 * e-mail, a user name...) is dropped, never stored (data minimisation), and
 * so is a documented field set to `null`.
 *
 * Throws a {@link LikewiseError} with code `INVALID_EVENT` and one of these
 * exact messages (`<v>` is the offending value, see {@link show}):
 * - `Event must be an object, got <v>.`
 * - `Unknown event type <v>. Expected one of: view, click, add_to_cart, remove_from_cart, purchase, search.`
 *   (`impression` and `dismiss` are accepted too: widgets record them)
 * - `Event "<type>" needs an itemId.` (view, click, impression, dismiss)
 * - `Event "<type>" needs an itemId or items.` (purchase, add_to_cart, remove_from_cart)
 * - `Event "search" needs a query.`
 * - `<field> must be <rule>, got <v>.` where the rule of `itemId`, `query`, `rec`
 *   is `a string of 1 to 256 characters`; `quantity`: `an integer from 1 to 1000000`;
 *   `price`: `a finite number >= 0`; `pos`: `an integer from 0 to 10000`;
 *   `currency`: `an ISO 4217 code` (three letters, upper-cased when valid);
 *   `ts`: `a time in ms since 1970, before 2100`; `items`: `an array of 1 to 100 lines`;
 *   `items[i]`: `an object`; and `items[i].itemId` (required), `.quantity`, `.price` as above;
 *   `scenario`: `one of similar, bought-together, for-you, recently-viewed, trending`;
 *   `widget`: `a string of 1 to 64 characters`
 * - `Event is larger than 2048 bytes (<n>).` (UTF-8 JSON of the normalised event without `ts`)
 * - `Event cannot be read.` (a getter or a proxy threw; the error is its `cause`)
 *
 * With `stored`, checks an event as the SDK stores it instead (the one
 * schema for both): `id` and `session` (1 to 64 characters) and `ts` are
 * required, `visitor` (1 to 64) and `group` (`treatment or holdout`) are
 * checked too, unknown scalar fields (a newer tab's) are allowed, and the
 * record is at most 4096 characters of JSON. The rules are the one schema's,
 * `checkEvent` in `src/shared/eventSchema.ts`: the collector applies the same.
 *
 * @param input - anything; typically `{ type: 'view', itemId: 'sku-1' }`
 * @param stored - check the stored form (see above); default false
 * @returns the normalised event input
 * @example
 * validateEvent({ type: 'view', itemId: 'sku-1', email: 'a@b.c' }) // { type: 'view', itemId: 'sku-1' }
 */
export function validateEvent(input: unknown, stored?: boolean): TrackInput {
  try {
    return check(input, stored);
  } catch (e) {
    // A throwing getter, a revoked Proxy...: refused like any bad event.
    throw isLikewiseError(e) ? e : new LikewiseError('INVALID_EVENT', 'Event cannot be read.', e);
  }
}

function check(input: unknown, stored?: boolean): TrackInput {
  const r = checkEvent(input, stored);
  if (!r.ok) {
    const { field, rule, value, error } = r;
    if (field === 'type')
      fail(`Unknown event type ${show(value)}. Expected one of: ${PUBLIC_TYPES}.`);
    if (field === 'event' && rule) fail(`Event must be an object, got ${show(value)}.`);
    return fail(
      rule ? `${error}, got ${show(value)}.` : error[0].toUpperCase() + error.slice(1) + '.',
    );
  }
  const out = r.event as unknown as TrackInput & Record<string, unknown>;
  // Unknown fields (a newer tab's) are kept by the store: see isStoredShape.
  if (stored && !isStoredShape(input as object)) fail('Not a stored event.');
  return out;
}
