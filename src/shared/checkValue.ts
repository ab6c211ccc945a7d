import { LikewiseError, type LikewiseErrorCode } from '../errors';

// biome-ignore lint/suspicious/noExplicitAny: the checks take misuse of any shape.
type Any = any;

import type { Rule } from './eventSchema';

/** A check of a value a page passed in: its test, and what the value must be (as messages word it). */
export type { Rule };

/**
 * A short, safe rendering of a bad value for an error message: strings quoted
 * (cut at 40 characters), arrays as `array` (`[]` when empty), other objects as `object`, the
 * rest as written.
 *
 * @example show('x'.repeat(50)) // '"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"'
 */
export const show = (v: unknown): string =>
  typeof v === 'string'
    ? JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)
    : v && typeof v === 'object'
      ? Array.isArray(v)
        ? v.length
          ? 'array'
          : '[]'
        : 'object'
      : String(v);

/**
 * Throws a {@link LikewiseError} (`code`, default `INVALID_OPTION`) with
 * `<name> must be <what>, got <v>.` when `v` breaks `rule`: the one wording
 * of every misuse message.
 *
 * @example checkValue(0, [(v) => v > 0, 'a positive number'], 'recommend: limit') // throws
 */
export function checkValue(
  v: unknown,
  [ok, what]: Rule,
  name: string,
  code: LikewiseErrorCode = 'INVALID_OPTION',
): void {
  if (!ok(v)) throw new LikewiseError(code, `${name} must be ${what}, got ${show(v)}.`);
}

/**
 * {@link checkValue} on each field of `o` that `rules` names (own keys of the
 * rules only), in their order, as `<at><field>`; a field left `undefined`
 * passes, except `required`.
 */
export function checkFields(
  o: Any,
  rules: Record<string, Rule>,
  at: string,
  required?: string,
): void {
  for (const k of Object.keys(rules))
    if (o[k] !== undefined || k === required) checkValue(o[k], rules[k], at + k);
}

/** A function. */
export const FUNCTION: Rule = [(v) => typeof v === 'function', 'a function'];
/** `true` or `false`. */
export const BOOLEAN: Rule = [(v) => typeof v === 'boolean', 'true or false'];
/** An integer >= 1. */
export const POSITIVE_INTEGER: Rule = [(v) => Number.isInteger(v) && v > 0, 'a positive integer'];
/** An object (not `null`). */
export const OBJECT: Rule = [(v) => typeof v === 'object' && v, 'an object'];
