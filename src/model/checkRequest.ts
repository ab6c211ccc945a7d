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
  checkScenario('recommend', r);
  checkRules('recommend', r.rules);
}

/**
 * Checks business rules (`<what>: rules must be an object`, `<what>:
 * rules.<name> must be <rule>`, `INVALID_OPTION`); `undefined` passes.
 */
export function checkRules(what: string, rules: unknown): void {
  if (rules === undefined) return;
  const bad = (m: string) => new LikewiseError('INVALID_OPTION', `${what}: ${m}`);
  if (typeof rules !== 'object' || rules === null) throw bad('rules must be an object');
  for (const [names, ok, what] of RULE_CHECKS)
    for (const name of names) {
      const v = (rules as Record<string, unknown>)[name];
      if (v !== undefined && !ok(v)) throw bad(`rules.${name} must be ${what}`);
    }
}

/**
 * The checks `recommend` and `render` share, as `<what>: <message>`
 * (`INVALID_OPTION`): the type, the item of `similar`, the limit (1 to 50
 * when given).
 */
export function checkScenario(
  what: string,
  r: { type?: unknown; itemId?: unknown; limit?: unknown } | undefined,
): void {
  const bad = (m: string) => {
    throw new LikewiseError('INVALID_OPTION', `${what}: ${m}`);
  };
  const type = r?.type;
  if (!SCENARIOS.includes(type as Scenario))
    bad(`unknown type ${JSON.stringify(type)}; expected one of ${SCENARIOS.join(', ')}`);
  if (type === 'similar' && !(typeof r?.itemId === 'string' && r.itemId))
    bad('"similar" needs an itemId');
  const limit = r?.limit;
  if (
    limit !== undefined &&
    !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 50)
  )
    bad('limit must be an integer from 1 to 50');
}
