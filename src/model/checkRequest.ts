/**
 * The checks `lw.recommend()` makes at once, before anything loads: they
 * stay in the script-tag core while scoring loads on demand.
 */
import type { RecommendRules } from '../engine/recommend';
import {
  BOOLEAN,
  checkFields,
  checkValue,
  FUNCTION,
  OBJECT,
  POSITIVE_INTEGER,
  type Rule,
} from '../shared/checkValue';
import { SCENARIO } from '../shared/eventSchema';
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
export { SCENARIOS } from '../shared/eventSchema';

const IDS: Rule = [(v) => typeof v === 'object' && v && Symbol.iterator in v, 'an array or a Set'];
const NUMBER: Rule = [(v) => typeof v === 'number' && !Number.isNaN(v), 'a number'];
/** Each business rule and what it must be (in `recommend: rules.<name> must be <what>`). */
const RULES: Record<string, Rule> = {
  exclude: IDS,
  cart: IDS,
  purchased: IDS,
  dismissed: IDS,
  excludePurchased: BOOLEAN,
  isKnown: FUNCTION,
  inStock: FUNCTION,
  filter: FUNCTION,
  category: [(v) => [v].flat().every((c) => typeof c === 'string'), 'a string or strings'],
  minPrice: NUMBER,
  maxPrice: NUMBER,
  boost: [(v) => typeof v === 'function' || OBJECT[0](v), 'an object or a function'],
  maxPerCategory: POSITIVE_INTEGER,
};
const REQUEST: Record<string, Rule> = {
  type: SCENARIO,
  limit: [(v) => Number.isInteger(v) && v > 0 && v <= 50, 'an integer from 1 to 50'],
};

/**
 * Checks a request at once (misuse throws `INVALID_OPTION`, worded
 * `recommend: <field> must be <what>, got <v>.`): `type` one of similar,
 * bought-together, for-you, recently-viewed, trending; `itemId` (for
 * `similar`) an item id; `limit` an integer from 1 to 50; `rules` an object,
 * and in it `exclude`, `cart`, `purchased`, `dismissed`: an array or a Set;
 * `excludePurchased`: true or false; `isKnown`, `inStock`, `filter`: a
 * function; `category`: a string or strings; `minPrice`, `maxPrice`: a
 * number; `boost`: an object or a function; `maxPerCategory`: a positive
 * integer.
 */
export function checkRequest(r: RecommendRequest): void {
  checkScenario('recommend: ', r);
  checkRules('recommend: ', r.rules);
}

/**
 * Checks business rules (`<what>rules must be an object`,
 * `<what>rules.<name> must be <rule>`, `INVALID_OPTION`); `undefined` passes.
 */
export function checkRules(what: string, rules: unknown): void {
  if (rules === undefined) return;
  checkValue(rules, OBJECT, what + 'rules');
  checkFields(rules, RULES, what + 'rules.');
}

/**
 * The checks `recommend` and `render` share, as `<what><field> must be ...`
 * (`INVALID_OPTION`): the type, the item of `similar`, the limit (1 to 50
 * when given).
 */
export function checkScenario(
  what: string,
  r: { type?: unknown; itemId?: unknown; limit?: unknown } | undefined,
): void {
  const o = r ?? {};
  checkFields(o, REQUEST, what, 'type');
  if (o.type === 'similar')
    checkValue(o.itemId, [(v) => v && typeof v === 'string', 'an item id'], what + 'itemId');
}
