import { LikewiseError } from '../errors';
import type { Profile } from './computeProfile';

/** One parsed term of a segment expression. */
export interface SegmentTerm {
  not: boolean;
  kind: 'segment' | 'category' | 'brand' | 'price';
  /** Lower case. */
  value: string;
}

const SEGMENTS = new Set([
  'new',
  'browsing',
  'comparing',
  'ready-to-buy',
  'impulsive',
  'deliberate',
]);
const BANDS = new Set(['budget', 'mid', 'premium']);

/**
 * Parses a `data-likewise-segment` expression into terms. Grammar: terms
 * separated by commas (OR); a term is an optional `!` (NOT) and one of a
 * segment (`new`, `browsing`, `comparing`, `ready-to-buy`, `impulsive`,
 * `deliberate`), `category:NAME`, `brand:NAME` or `price:budget|mid|premium`.
 * Case and spaces around terms are ignored.
 *
 * @throws LikewiseError `INVALID_INPUT` with the offending term, for an empty
 *   expression or term, an unknown segment or prefix, or an unknown price band.
 * @example
 * parseSegment('!new, category:Drama'); // [{ not: true, kind: 'segment', value: 'new' }, ...]
 */
export function parseSegment(expr: string): SegmentTerm[] {
  if (typeof expr !== 'string' || expr.trim() === '') {
    throw new LikewiseError('INVALID_INPUT', 'Empty segment expression.');
  }
  return expr.split(',').map((raw) => {
    let text = raw.trim().toLowerCase();
    const not = text.startsWith('!');
    if (not) text = text.slice(1).trim();
    const colon = text.indexOf(':');
    const bad = (why: string) =>
      new LikewiseError('INVALID_INPUT', `Invalid segment "${raw.trim()}" in "${expr}": ${why}.`);
    if (colon < 0) {
      if (!SEGMENTS.has(text)) {
        throw bad(
          'expected new, browsing, comparing, ready-to-buy, impulsive, deliberate, category:X, brand:X or price:X',
        );
      }
      return { not, kind: 'segment', value: text };
    }
    const kind = text.slice(0, colon).trim();
    const value = text.slice(colon + 1).trim();
    if (kind !== 'category' && kind !== 'brand' && kind !== 'price')
      throw bad(`unknown prefix "${kind}"`);
    if (value === '') throw bad('empty value');
    if (kind === 'price' && !BANDS.has(value)) throw bad('price must be budget, mid or premium');
    return { not, kind, value };
  });
}

/** True when a catalogue category (possibly a path like `Books > Drama`) is `value` or has it as a path part. */
function categoryMatches(category: string, value: string): boolean {
  const c = category.toLowerCase();
  return c === value || c.split(/\s*[>/|]\s*/).some((part) => part.trim() === value);
}

/**
 * Whether a visitor's profile matches a `data-likewise-segment` expression
 * (see {@link parseSegment} for the grammar). Terms are ORed: the
 * expression matches when any term does. `category:X` and `brand:X` match
 * when X is among the profile's top categories or brands (for categories,
 * also a part of a path like `Books > Drama`); `price:B` when the price
 * band is B; `impulsive`/`deliberate` test the pace; the others test the
 * segment. `!` negates one term.
 *
 * @param profile - From `computeProfile`.
 * @param expr - The expression, e.g. `ready-to-buy, category:drama` or `!new`.
 * @throws LikewiseError `INVALID_INPUT` for a malformed expression.
 * @example
 * if (matchesSegment(profile, '!new')) el.hidden = false;
 */
export function matchesSegment(profile: Profile, expr: string): boolean {
  return parseSegment(expr).some((t) => {
    let hit: boolean;
    if (t.kind === 'category')
      hit = profile.categories.some((a) => categoryMatches(a.value, t.value));
    else if (t.kind === 'brand')
      hit = profile.brands.some((a) => a.value.toLowerCase() === t.value);
    else if (t.kind === 'price') hit = profile.price?.band === t.value;
    else if (t.value === 'impulsive' || t.value === 'deliberate') hit = profile.pace === t.value;
    else hit = profile.segment === t.value;
    return t.not ? !hit : hit;
  });
}
