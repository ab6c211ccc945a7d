import { EVENT_TYPE_CODES as TYPES } from '../engine/types';
import { isLikewiseError, LikewiseError } from '../errors';
import { SCENARIOS } from '../model/createRecommender';
import type { TrackInput } from '../types';

/**
 * Event types a host page is told about (in error messages and docs): all but
 * the last two, `impression` and `dismiss`, which the SDK records itself (widgets).
 */
const PUBLIC_TYPES = TYPES.slice(0, 6).join(', ');

/** Longest accepted `itemId`, `query` and `rec`, in characters. */
export const MAX_TEXT_LENGTH = 256;
/** Largest accepted event, in bytes of UTF-8 JSON (after unknown fields are dropped). */
export const MAX_EVENT_BYTES = 2048;
/**
 * Latest accepted `ts`: 2100-01-01 UTC, in ms. A later one is a unit
 * mistake (microseconds), and would hold every later event in one session.
 */
export const MAX_TS = 4_102_444_800_000;

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

/** A string of 1 to `max` characters. Shared with the catalogue's checks. */
export const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v !== '' && v.length <= max;
/** A finite number >= 0 (an amount, a price). */
export const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1 / 0;
/** Three letters, as an ISO 4217 code is written (in any case). */
export const isCurrency = (v: unknown): v is string =>
  typeof v === 'string' && /^[a-z]{3}$/i.test(v);

// biome-ignore lint/suspicious/noExplicitAny: the checks take untrusted input of any shape.
type Rule = [ok: (v: any) => unknown, rule: string];
const text = (max: number): Rule => [(v) => isText(v, max), `a string of 1 to ${max} characters`];
const int = (min: number): Rule => [(v) => Number.isInteger(v) && v >= min, `an integer >= ${min}`];
const TEXT = text(MAX_TEXT_LENGTH);
/** The fields of a line item, in the order they are checked. */
const LINE: Record<string, Rule> = {
  itemId: TEXT,
  quantity: int(1),
  price: [isAmount, 'a finite number >= 0'],
};
/** The fields of an event besides `type`, in the order they are checked. */
const EVENT: Record<string, Rule> = {
  ...LINE,
  currency: [isCurrency, 'an ISO 4217 code'],
  query: TEXT,
  rec: TEXT,
  pos: int(0),
  ts: [(v) => isAmount(v) && v > 0 && v < MAX_TS, 'a time in ms since 1970, before 2100'],
  scenario: [(v) => SCENARIOS.includes(v), `one of ${SCENARIOS.join(', ')}`],
  widget: text(64),
  items: [(v) => Array.isArray(v) && v.length, 'a non-empty array'],
};
const ID = text(64);
/** What a stored event has besides its input: checked when read back from storage. */
const STORED: Record<string, Rule> = {
  ...EVENT,
  id: ID,
  session: ID,
  visitor: ID,
  group: [(v) => v === 'treatment' || v === 'holdout', 'treatment or holdout'],
};

/**
 * Copies the fields of `rules` that `o` has (null counts as absent, except
 * for `required`), refusing a bad one; anything else in `o` is left behind.
 */
// biome-ignore lint/suspicious/noExplicitAny: the result is typed by the caller.
const pick = (o: any, rules: Record<string, Rule>, at: string, required?: string): any => {
  if (!o || typeof o !== 'object' || Array.isArray(o))
    fail(`${at || 'Event'} must be an object, got ${show(o)}.`);
  const out: Record<string, unknown> = {};
  // Own keys only: a page may have added enumerable properties to Object.prototype.
  for (const k of Object.keys(rules)) {
    const v = o[k];
    if (v == null && k !== required) continue;
    if (!rules[k][0](v)) fail(`${at && at + '.'}${k} must be ${rules[k][1]}, got ${show(v)}.`);
    out[k] = v;
  }
  return out;
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
 *   is `a string of 1 to 256 characters`; `quantity`: `an integer >= 1`;
 *   `price`: `a finite number >= 0`; `pos`: `an integer >= 0`;
 *   `currency`: `an ISO 4217 code` (three letters, upper-cased when valid);
 *   `ts`: `a time in ms since 1970, before 2100`; `items`: `a non-empty array`;
 *   `items[i]`: `an object`; and `items[i].itemId` (required), `.quantity`, `.price` as above;
 *   `scenario`: `one of similar, bought-together, for-you, recently-viewed, trending`;
 *   `widget`: `a string of 1 to 64 characters`
 * - `Event is larger than 2048 bytes (<n>).` (UTF-8 JSON of the normalised event)
 * - `Event cannot be read.` (a getter or a proxy threw; the error is its `cause`)
 *
 * With `stored`, checks an event as the SDK stores it instead (the one
 * schema for both): `id` and `session` (1 to 64 characters) and `ts` are
 * required, `visitor` (1 to 64) and `group` (`treatment or holdout`) are
 * checked too, and the size is not (a stored event was measured when tracked).
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
  const fields = pick(input, stored ? STORED : EVENT, '');
  const { type } = input as TrackInput;
  if (!TYPES.includes(type))
    fail(`Unknown event type ${show(type)}. Expected one of: ${PUBLIC_TYPES}.`);
  const out: TrackInput = { type, ...fields };
  if (out.currency) out.currency = out.currency.toUpperCase();
  // Array.from visits holes too (`[, line]`), where map would skip them.
  out.items &&= Array.from(out.items, (v, i) => pick(v, LINE, `items[${i}]`, 'itemId'));
  // Cart events and purchases may name several items instead of one.
  const multi = type === 'purchase' || type.endsWith('_cart');
  if (type === 'search' ? !out.query : !out.itemId && !(multi && out.items))
    fail(
      `Event "${type}" needs ${type === 'search' ? 'a query' : multi ? 'an itemId or items' : 'an itemId'}.`,
    );
  if (stored) {
    const o = input as { id?: string; session?: string; items?: object[] };
    // Unknown fields (a newer tab's) are kept by the store: scalars only, the record bounded.
    const flat = (x: object, list?: unknown) =>
      Object.values(x).every((v) => v === list || !v || typeof v !== 'object');
    if (
      !o.id ||
      !o.session ||
      !out.ts ||
      !flat(o, o.items) ||
      o.items?.some((l) => !flat(l)) ||
      JSON.stringify(o).length > 2 * MAX_EVENT_BYTES
    )
      fail('Not a stored event.');
    return out;
  }
  const bytes = new Blob([JSON.stringify(out)]).size;
  if (bytes > MAX_EVENT_BYTES) fail(`Event is larger than ${MAX_EVENT_BYTES} bytes (${bytes}).`);
  return out;
}
