/**
 * The checks `lw.recommend()` makes at once, before anything loads: they
 * stay in the script-tag core while scoring loads on demand.
 */
import type { RecommendRules } from '../engine/recommend';
import { LikewiseError } from '../errors';
import { SCENARIOS as SCENARIO_LIST } from '../shared/eventSchema';
import type { Scenario } from '../types';

/** What `lw.recommend()` takes. */
export interface RecommendRequest {
  type: Scenario;
  /** The page's item (`similar`, `bought-together`; optional elsewhere). */
  itemId?: string;
  /** Items returned at most; default 8, at most 50. */
  limit?: number;
  /** Extra business rules (filters, boosts, diversity...), see the engine's `RecommendRules`. */
  rules?: Omit<RecommendRules, 'limit' | 'events' | 'catalog' | 'trending'>;
}

/** Every scenario `recommend()` accepts, in the order misuse messages list them: the one schema's list. */
export const SCENARIOS: readonly Scenario[] = SCENARIO_LIST;

const isFunction = (v: unknown) => typeof v === 'function';
/** Each rule's names, check and what it must be (in `recommend: rules.<name> must be <what>`). */
const RULE_CHECKS: [names: string[], ok: (v: unknown) => boolean, what: string][] = [
  [
    ['exclude', 'cart', 'purchased', 'dismissed'],
    (v) => typeof v === 'object' && v !== null && Symbol.iterator in v,
    'an array or a Set of item ids',
  ],
  [['excludePurchased'], (v) => typeof v === 'boolean', 'true or false'],
  [['isKnown', 'inStock', 'filter'], isFunction, 'a function'],
  [
    ['category'],
    (v) => typeof v === 'string' || (Array.isArray(v) && v.every((c) => typeof c === 'string')),
    'a category or an array of them',
  ],
  [['minPrice', 'maxPrice'], (v) => typeof v === 'number' && !Number.isNaN(v), 'a number'],
  [
    ['boost'],
    (v) => isFunction(v) || (typeof v === 'object' && v !== null),
    'an object or a function',
  ],
  [['maxPerCategory'], (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'],
];

/**
 * Checks a request at once (misuse throws `INVALID_OPTION`).
 * Messages: `recommend: unknown type "x"; expected one of similar, bought-together, for-you, recently-viewed, trending`,
 * `recommend: "similar" needs an itemId`, `recommend: limit must be an integer from 1 to 50`,
 * `recommend: rules must be an object`, and `recommend: rules.<name> must be <what>`:
 * `exclude`, `cart`, `purchased`, `dismissed`: `an array or a Set of item ids`;
 * `excludePurchased`: `true or false`; `isKnown`, `inStock`, `filter`: `a function`;
 * `category`: `a category or an array of them`; `minPrice`, `maxPrice`: `a number`;
 * `boost`: `an object or a function`; `maxPerCategory`: `a positive integer`.
 */
export function checkRequest(r: RecommendRequest): void {
  const bad = (m: string) => new LikewiseError('INVALID_OPTION', `recommend: ${m}`);
  if (typeof r !== 'object' || r === null || !SCENARIOS.includes(r.type))
    throw bad(`unknown type ${JSON.stringify(r?.type)}; expected one of ${SCENARIOS.join(', ')}`);
  if (r.type === 'similar' && (typeof r.itemId !== 'string' || !r.itemId))
    throw bad('"similar" needs an itemId');
  if (r.limit !== undefined && !(Number.isInteger(r.limit) && r.limit >= 1 && r.limit <= 50))
    throw bad('limit must be an integer from 1 to 50');
  const { rules } = r;
  if (rules === undefined) return;
  if (typeof rules !== 'object' || rules === null) throw bad('rules must be an object');
  for (const [names, ok, what] of RULE_CHECKS)
    for (const name of names) {
      const v = rules[name as keyof typeof rules];
      if (v !== undefined && !ok(v)) throw bad(`rules.${name} must be ${what}`);
    }
}
