/**
 * The one event schema: event types, scenarios, field limits and the one
 * validator every part applies (the tracker before it stores, the store when
 * it reads back, the collector on every batch, `report` on every line).
 * Dependency-free on purpose: the lowest layer, importable from the browser
 * and Node alike.
 */

/**
 * Every event type, in the order of their numeric codes in typed arrays and
 * model files (the index is the code): append, never reorder.
 */
export const EVENT_TYPES = [
  'view',
  'click',
  'add_to_cart',
  'remove_from_cart',
  'purchase',
  'search',
  /** Recorded by widgets. */
  'impression',
  /** Recorded by widgets. */
  'dismiss',
] as const;

/** Every recommendation scenario, in the order misuse messages list them. */
export const SCENARIOS = [
  'similar',
  'bought-together',
  'for-you',
  'recently-viewed',
  'trending',
] as const;

/** Longest `itemId` (also in `items`), `query` and `rec`, in UTF-16 code units. */
export const MAX_TEXT_LENGTH = 256;
/** Longest `id`, `session`, `visitor` and `widget`, in UTF-16 code units. */
export const MAX_ID_LENGTH = 64;
/** Most lines in `items`. */
export const MAX_LINES = 100;
/** Largest `quantity` (also in `items`). */
export const MAX_QUANTITY = 1_000_000;
/** Largest `pos` (a place in a widget). */
export const MAX_POS = 10_000;
/**
 * Largest event, in bytes of UTF-8 JSON of its fields other than `id`,
 * `session`, `visitor`, `group` and `ts` (what the page gave, normalised).
 */
export const MAX_EVENT_BYTES = 2048;
/**
 * Latest accepted `ts`: 2100-01-01 UTC, in ms. A later one is a unit
 * mistake (microseconds), and would hold every later event in one session.
 */
export const MAX_TS = 4_102_444_800_000;

/** A string of 1 to `max` characters. */
export const isText = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v !== '' && v.length <= max;
/** A finite number >= 0 (an amount, a price). */
export const isAmount = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < 1 / 0;
/** Three letters, as an ISO 4217 code is written (in any case). */
export const isCurrency = (v: unknown): v is string =>
  typeof v === 'string' && /^[a-z]{3}$/i.test(v);

// biome-ignore lint/suspicious/noExplicitAny: the checks take untrusted input of any shape.
type Any = any;
/** A check and what the value must be, as messages word it (`<field> must be <rule>`). */
export type Rule = [ok: (v: Any) => unknown, rule: string, lines?: Record<string, Rule>];
const text = (max: number): Rule => [(v) => isText(v, max), `a string of 1 to ${max} characters`];
const int = (min: number, max: number): Rule => [
  (v) => Number.isInteger(v) && v >= min && v <= max,
  `an integer from ${min} to ${max}`,
];
// Pure: a bundle that only needs the lists above leaves the rules out.
/** A string of 1 to {@link MAX_TEXT_LENGTH} characters (an item id, a query, a customer id). */
export const TEXT: Rule = /* @__PURE__ */ text(MAX_TEXT_LENGTH);
/** A string of 1 to {@link MAX_ID_LENGTH} characters (an event id, a widget's name). */
export const ID: Rule = /* @__PURE__ */ text(MAX_ID_LENGTH);
/** One of {@link SCENARIOS}. */
export const SCENARIO: Rule = [
  (v) => SCENARIOS.includes(v),
  `one of ${/* @__PURE__ */ SCENARIOS.join(', ')}`,
];
/** The fields of a line item, in the order they are checked. */
const LINE: Record<string, Rule> = {
  itemId: TEXT,
  quantity: /* @__PURE__ */ int(1, MAX_QUANTITY),
  price: [isAmount, 'a finite number >= 0'],
};
const TS: Rule = [
  (v) => isAmount(v) && v > 0 && v < MAX_TS,
  'a time in ms since 1970, before 2100',
];
/** The fields of an event a page may give, in the order they are checked (and kept). */
const INPUT: Record<string, Rule> = {
  type: [(v) => EVENT_TYPES.includes(v), `one of ${/* @__PURE__ */ EVENT_TYPES.join(', ')}`],
  ...LINE,
  currency: [isCurrency, 'an ISO 4217 code'],
  query: TEXT,
  rec: TEXT,
  pos: /* @__PURE__ */ int(0, MAX_POS),
  ts: TS,
  scenario: SCENARIO,
  widget: ID,
  items: [
    (v) => Array.isArray(v) && v.length > 0 && v.length <= MAX_LINES,
    `an array of 1 to ${MAX_LINES} lines`,
    LINE,
  ],
};
/**
 * The stored and sent form: what the SDK adds when it records an event
 * (`id`, `session` and `ts` required, `visitor` and `group` kept), the
 * envelope first, as the collector writes it.
 */
const WIRE: Record<string, Rule> = {
  id: ID,
  type: INPUT.type,
  ts: TS,
  session: ID,
  ...INPUT,
  visitor: ID,
  group: [(v) => v === 'treatment' || v === 'holdout', 'treatment or holdout'],
};

/**
 * Why {@link checkEvent} refused an event. `field` is the field at fault
 * (`items[2].price`, or `event` for the event as a whole); `rule` what it must
 * be, when a rule was broken; `error` a short sentence without a final period,
 * `<field> must be <rule>` for a broken rule.
 */
export interface SchemaError {
  ok: false;
  field: string;
  rule?: string;
  value?: unknown;
  error: string;
}
/** What {@link checkEvent} returns. */
export type SchemaResult = { ok: true; event: Record<string, unknown> } | SchemaError;

const refuse = (field: string, error: string, value?: unknown, rule?: string): SchemaError => ({
  ok: false,
  field,
  rule,
  value,
  error,
});
const broken = (field: string, rule: string, value: unknown) =>
  refuse(field, `${field} must be ${rule}`, value, rule);

const isObject = (v: unknown): boolean => !!v && typeof v === 'object' && !Array.isArray(v);

/**
 * A normalised copy of `o` with the fields of `rules` it has (null counts
 * as absent, except for the `required` ones), or the first reason to refuse
 * it. A rule's third element is the rules of each line of a list (`items`,
 * whose `itemId` is required). Own keys of the rules only: a page may have
 * added enumerable properties to `Object.prototype`.
 */
function pick(
  o: Any,
  rules: Record<string, Rule>,
  at: string,
  required: string[],
): Any /* the copy, or a SchemaError */ {
  // `event`, or `items[2]` for a line.
  if (!isObject(o)) return broken(at.slice(0, -1) || 'event', 'an object', o);
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(rules)) {
    let v = o[k];
    const [ok, rule, lines] = rules[k];
    if (v == null && !required.includes(k)) continue;
    if (!ok(v)) return broken(at + k, rule, v);
    if (lines) {
      const list: unknown[] = [];
      // A plain loop visits holes too (`[, line]`), where map would skip them.
      for (let i = 0; i < v.length; i++) {
        const line = pick(v[i], lines, `${at}${k}[${i}].`, ['itemId']);
        if (line.ok === false) return line;
        list.push(line);
      }
      v = list;
    }
    out[k] = v;
  }
  return out;
}

/**
 * Checks one event against the schema and returns a normalised copy that
 * holds only its documented fields (anything else is dropped: data
 * minimisation), or the first reason to refuse it. Never throws for plain
 * data; a throwing getter or a revoked Proxy throws through (the caller
 * decides what that means).
 *
 * Rules, the same for every form: `type` one of {@link EVENT_TYPES};
 * `itemId`, `query`, `rec` 1 to 256 characters; `quantity` an integer from
 * 1 to 1,000,000; `price` a finite number >= 0; `currency` three letters
 * (returned upper-cased); `pos` an integer from 0 to 10,000; `ts` ms since
 * 1970, before 2100; `scenario` one of {@link SCENARIOS}; `widget` 1 to 64
 * characters; `items` 1 to 100 lines of `{ itemId, quantity?, price? }`.
 * `view`, `click`, `impression` and `dismiss` need an `itemId`; `purchase`
 * and the cart events an `itemId` or `items`; `search` a `query`. A field set
 * to `null` counts as absent. The event is at most {@link MAX_EVENT_BYTES}
 * bytes (see there). With `wire`, `id` and `session` (1 to 64 characters)
 * and `ts` are required, and `visitor` (1 to 64) and `group` (`treatment` or
 * `holdout`) are kept too.
 *
 * @param value - anything (a page's argument, parsed JSON, a stored record)
 * @param wire - check the form the SDK stores and sends (with `id`, `session`, `ts`)
 * @returns `{ ok: true, event }` or a {@link SchemaError}
 * @example
 * checkEvent({ type: 'view', itemId: 'sku-1', email: 'a@b.c' }) // { ok: true, event: { type: 'view', itemId: 'sku-1' } }
 */
export function checkEvent(value: unknown, wire = false): SchemaResult {
  const out: Record<string, unknown> = pick(
    value,
    wire ? WIRE : INPUT,
    '',
    wire ? ['type', 'id', 'ts', 'session'] : ['type'],
  );
  if (out.ok === false) return out as unknown as SchemaError;
  const type = out.type as string;
  if (out.currency) out.currency = (out.currency as string).toUpperCase();
  // Cart events and purchases may name several items instead of one.
  const multi = type === 'purchase' || type.endsWith('_cart');
  if (type === 'search' ? !out.query : !out.itemId && !(multi && out.items))
    return refuse(
      type === 'search' ? 'query' : 'itemId',
      `event "${type}" needs ${type === 'search' ? 'a query' : multi ? 'an itemId or items' : 'an itemId'}`,
    );
  // What the SDK sets does not count: the page cannot grow it (JSON leaves undefined out).
  const none = undefined;
  const bytes = new TextEncoder().encode(
    JSON.stringify({ ...out, id: none, session: none, visitor: none, group: none, ts: none }),
  ).length;
  if (bytes > MAX_EVENT_BYTES)
    return refuse('event', `event is larger than ${MAX_EVENT_BYTES} bytes (${bytes})`, bytes);
  return { ok: true, event: out };
}

/**
 * True when a record that {@link checkEvent} accepts in its wire form may
 * stay in storage as it is: fields this version does not know (a newer
 * tab's) are kept, so they must be scalars (in the item lines too), and the
 * record is at most twice {@link MAX_EVENT_BYTES} characters of JSON.
 *
 * @example isStoredShape({ id: 'e1', type: 'view', ts: 1, session: 's', itemId: 'a', extra: 1 }) // true
 */
export function isStoredShape(record: object): boolean {
  const o = record as { items?: object[] };
  const flat = (x: object, list?: unknown) =>
    Object.values(x).every((v) => v === list || !v || typeof v !== 'object');
  return (
    flat(o, o.items) &&
    !o.items?.some((l) => !flat(l)) &&
    JSON.stringify(o).length <= 2 * MAX_EVENT_BYTES
  );
}
