import { LikewiseError } from '../errors';
import type { EventType, LineItem, TrackInput } from '../types';

/** Event types a host page is told about (in error messages and docs). */
const PUBLIC_TYPES = 'view, click, add_to_cart, remove_from_cart, purchase, search';
/** Also accepted, but recorded by the SDK itself (widgets), so not advertised. */
const TYPES = (PUBLIC_TYPES + ', impression, dismiss').split(', ');

/** Longest accepted `itemId`, `query` and `rec`, in characters. */
export const MAX_TEXT_LENGTH = 256;
/** Largest accepted event, in bytes of UTF-8 JSON (after unknown fields are dropped). */
export const MAX_EVENT_BYTES = 2048;

/**
 * A short, safe rendering of a bad value for an error message: strings quoted
 * (cut at 40 characters, with their length), numbers and the like as written,
 * objects as their `typeof`.
 */
export const show = (v: unknown): string =>
  typeof v === 'string'
    ? v.length > 40
      ? `${JSON.stringify(v.slice(0, 40) + '…')} (${v.length} characters)`
      : JSON.stringify(v)
    : v && typeof v === 'object'
      ? Array.isArray(v)
        ? 'array'
        : 'object'
      : String(v);

const fail = (message: string): never => {
  throw new LikewiseError('INVALID_EVENT', message);
};

const SCENARIOS = ['similar', 'bought-together', 'for-you', 'recently-viewed', 'trending'];
type Rule = [field: string, ok: (v: unknown) => boolean, rule: string];
const TEXT = 'a string of 1 to 256 characters';
const isText = (v: unknown) => typeof v === 'string' && v.length > 0 && v.length <= MAX_TEXT_LENGTH;
const isNum = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < Infinity;
const isInt = (min: number) => (v: unknown) => Number.isInteger(v) && (v as number) >= min;
const LINE: Rule[] = [
  ['itemId', isText, TEXT],
  ['quantity', isInt(1), 'a positive integer'],
  ['price', isNum, 'a finite number >= 0'],
];
const EVENT: Rule[] = [
  ...LINE,
  ['currency', (v) => typeof v === 'string' && /^[a-z]{3}$/i.test(v), 'a 3-letter ISO 4217 code'],
  ['query', isText, TEXT],
  ['rec', isText, TEXT],
  ['pos', isInt(0), 'a non-negative integer'],
  ['ts', (v) => isNum(v) && v > 0, 'a positive finite number (ms since the epoch)'],
  ['scenario', (v) => SCENARIOS.includes(v as string), 'one of ' + SCENARIOS.join(', ')],
  ['widget', (v) => isText(v) && (v as string).length <= 64, 'a string of 1 to 64 characters'],
];

/** Copies the fields of `rules` present in `o`, refusing a bad one. */
const pick = <T>(o: unknown, rules: Rule[], at: string): T => {
  if (!o || typeof o !== 'object' || Array.isArray(o))
    fail(`${at || 'Event'} must be an object, got ${show(o)}.`);
  const out: Record<string, unknown> = {};
  for (const [field, ok, rule] of rules) {
    const v = (o as Record<string, unknown>)[field];
    if (v === undefined) continue;
    if (!ok(v)) fail(`${at && at + '.'}${field} must be ${rule}, got ${show(v)}.`);
    out[field] = v;
  }
  return out as T;
};

/**
 * Checks what a host page passed to `lw.track()` and returns a normalised copy
 * that holds only the documented {@link TrackInput} fields: anything else (an
 * e-mail, a user name...) is dropped, never stored (data minimisation).
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
 *   is `a string of 1 to 256 characters`; `quantity`: `a positive integer`;
 *   `price`: `a finite number >= 0`; `pos`: `a non-negative integer`;
 *   `currency`: `a 3-letter ISO 4217 code` (upper-cased when valid);
 *   `ts`: `a positive finite number (ms since the epoch)`; `items`: `a non-empty array`;
 *   `items[i]`: `an object`; and `items[i].itemId`, `.quantity`, `.price` as above;
 *   `scenario`: `one of similar, bought-together, for-you, recently-viewed, trending`;
 *   `widget`: `a string of 1 to 64 characters`
 * - `Event is larger than 2048 bytes (<n>).` (UTF-8 JSON of the normalised event)
 *
 * @param input - anything; typically `{ type: 'view', itemId: 'sku-1' }`
 * @returns the normalised event input
 * @example
 * validateEvent({ type: 'view', itemId: 'sku-1', email: 'a@b.c' }) // { type: 'view', itemId: 'sku-1' }
 */
export function validateEvent(input: unknown): TrackInput {
  const fields = pick<Omit<TrackInput, 'type'>>(input, EVENT, '');
  const { type, items } = input as { type: EventType; items?: unknown };
  if (!TYPES.includes(type))
    fail(`Unknown event type ${show(type)}. Expected one of: ${PUBLIC_TYPES}.`);
  const out: TrackInput = { type, ...fields };
  if (out.currency) out.currency = out.currency.toUpperCase();
  if (items !== undefined) {
    if (!Array.isArray(items) || !items.length)
      fail(`items must be a non-empty array, got ${Array.isArray(items) ? '[]' : show(items)}.`);
    out.items = (items as unknown[]).map((v, i) => {
      const line = pick<LineItem>(v, LINE, `items[${i}]`);
      if (!line.itemId) fail(`items[${i}].itemId must be ${TEXT}, got undefined.`);
      return line;
    });
  }
  // Cart events and purchases may name several items instead of one.
  const multi = type === 'purchase' || type.endsWith('_cart');
  if (type === 'search' ? !out.query : !out.itemId && !(multi && out.items))
    fail(
      `Event "${type}" needs ${type === 'search' ? 'a query' : multi ? 'an itemId or items' : 'an itemId'}.`,
    );
  const bytes = new TextEncoder().encode(JSON.stringify(out)).length;
  if (bytes > MAX_EVENT_BYTES) fail(`Event is larger than ${MAX_EVENT_BYTES} bytes (${bytes}).`);
  return out;
}
