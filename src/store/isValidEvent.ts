import { EVENT_TYPE_CODES } from '../engine/types';
import type { EventType, ItemAggregate, LikewiseEvent } from '../types';

const IDS = ['id', 'session', 'itemId', 'rec'];
const NUMBERS = ['ts', 'quantity', 'price', 'pos', 'lastTs'];
const num = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const type = (v: unknown) => EVENT_TYPE_CODES.includes(v as EventType);

// Known fields are checked by name; a field added to the contract later (or
// by a newer tab) is kept when it is a scalar. An undefined field is absent.
const fields = (v: unknown, required: string[]): boolean =>
  !!v &&
  typeof v === 'object' &&
  !Array.isArray(v) &&
  required.every((k) => (v as Record<string, unknown>)[k] !== undefined) &&
  Object.entries(v).every(
    ([k, x]) =>
      x === undefined ||
      (IDS.includes(k)
        ? typeof x === 'string' && x !== '' && x.length <= 256
        : NUMBERS.includes(k)
          ? num(x)
          : k === 'type'
            ? type(x)
            : k === 'items'
              ? Array.isArray(x) && x.every((line) => fields(line, ['itemId']))
              : k === 'counts'
                ? fields(x, []) && Object.entries(x).every(([t, n]) => type(t) && num(n))
                : typeof x !== 'object'),
  );

const valid = (v: unknown, required: string[]): boolean => {
  try {
    // Bounds the record (track refuses events over 2 KB), and thereby the nesting.
    return JSON.stringify(v).length <= 4096 && fields(v, required);
  } catch {
    return false;
  }
};

/**
 * True when `value` is a well-formed {@link LikewiseEvent} as read back from
 * storage: `id`, `type`, `ts` and `session` present, ids non-empty strings of
 * at most 256 characters, numbers finite, `items` an array of line items,
 * other fields scalars, and at most 4 KB of JSON in all. Never throws.
 *
 * @example isValidEvent({ id: 'e1', type: 'view', ts: 1, session: 's', itemId: 'a' }) // true
 */
export function isValidEvent(value: unknown): value is LikewiseEvent {
  return valid(value, ['id', 'type', 'ts', 'session']);
}

/** True when `value` is a well-formed {@link ItemAggregate}. Never throws. */
export function isValidAggregate(value: unknown): value is ItemAggregate {
  return valid(value, ['itemId', 'counts', 'lastTs']);
}
