import { EVENT_TYPE_CODES } from '../engine/types';
import type { ItemAggregate, LikewiseEvent } from '../types';

// biome-ignore lint/suspicious/noExplicitAny: shape checks of untrusted records
type Any = any;

const NUMBER = /^(ts|quantity|price|pos)$/;
const STRING = /^(id|session|itemId|rec|currency|query|group|scenario|widget|visitor)$/;
const isType = (v: unknown) => EVENT_TYPE_CODES.includes(v as Any);

// Required fields are checked for presence here and for type below. Known
// fields must have their type; a field added to the contract later (or by a
// newer tab) is kept when it is a scalar. Strings are at most 256 characters
// (as track() allows), which also bounds the record; line items cannot nest.
const valid = (v: Any, line?: 1): boolean =>
  (line
    ? v?.itemId != null
    : v?.id?.length <= 64 && v.session != null && v.ts != null && v.type != null) &&
  Object.entries(v).every(
    ([k, x]) =>
      x === undefined ||
      (k === 'items'
        ? !line && Array.isArray(x) && x.every((l) => valid(l, 1))
        : k === 'type'
          ? isType(x)
          : NUMBER.test(k)
            ? Number.isFinite(x)
            : typeof x === 'string'
              ? x.length <= 256
              : !STRING.test(k) && (typeof x === 'boolean' || Number.isFinite(x))),
  );

/**
 * True when `value` is a well-formed {@link LikewiseEvent} as read back from
 * storage: a string `id` of at most 64 characters, a known `type`, a finite
 * `ts`, a string `session`; known optional fields of their type, `items` an
 * array of line items, other fields scalars; strings at most 256 characters.
 * Never throws.
 *
 * @example isValidEvent({ id: 'e1', type: 'view', ts: 1, session: 's', itemId: 'a' }) // true
 */
export const isValidEvent = (value: unknown): value is LikewiseEvent => valid(value);

/** True when `value` is a well-formed {@link ItemAggregate}. Never throws. */
export const isValidAggregate = (v: Any): v is ItemAggregate =>
  typeof v?.itemId === 'string' &&
  Number.isFinite(v.lastTs) &&
  v.counts?.constructor === Object &&
  Object.entries(v.counts).every(([t, n]) => isType(t) && Number.isFinite(n));
