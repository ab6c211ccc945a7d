import type { LikewiseOptions } from './createLikewise';
import type { ExperimentOptions } from './metrics/assignGroup';
import {
  BOOLEAN,
  checkFields,
  checkValue,
  FUNCTION,
  OBJECT,
  POSITIVE_INTEGER,
  type Rule,
} from './shared/checkValue';
import { safeUrl } from './shared/safeUrl';
import { CONSENT } from './track/createTracker';

/** An http(s) URL, absolute or relative (the page's base is not known yet: any will do). */
const isUrl = (v: unknown) => safeUrl(v, 'http://localhost/');
const A_URL: Rule = [isUrl, 'a URL'];
/** A finite number > 0. */
export const POSITIVE: Rule = [
  (v) => typeof v === 'number' && v > 0 && v < 1 / 0,
  'a positive number',
];
/**
 * Checked in this order; `site` is required, the rest only when given. Add
 * new options here: the script tag reads them from its `data-*` attributes
 * by this table too (readScriptConfig.ts).
 */
export const OPTIONS: Record<string, Rule> = {
  site: [(v) => typeof v === 'string' && /^[\w-]{1,64}$/.test(v), '1 to 64 of A-Z a-z 0-9 _ -'],
  consent: CONSENT,
  sessionTimeout: POSITIVE,
  maxEvents: POSITIVE_INTEGER,
  onError: FUNCTION,
  catalog: [
    (v) => isUrl(v) || Array.isArray(v) || typeof v === 'function',
    'a URL, an array or a function',
  ],
  model: A_URL,
  endpoint: A_URL,
  profileEndpoint: A_URL,
  experiment: [
    (v: ExperimentOptions) =>
      typeof v?.holdout === 'number' &&
      v.holdout >= 0 &&
      v.holdout <= 1 &&
      [undefined, 'trending', 'none'].includes(v.control),
    '{ holdout: 0 to 1 }',
  ],
  windowDays: POSITIVE,
  includePurchased: BOOLEAN,
  dedupe: BOOLEAN,
  locale: [(v) => typeof v === 'string' && v, 'a language tag'],
  widgets: OBJECT,
};

/**
 * Checks the options of `createLikewise` at once. Throws `INVALID_OPTION`
 * with `createLikewise: options must be an object, got <v>.` or
 * `createLikewise: <option> must be <what>, got <v>.`, where `<what>` is:
 * `site`: `1 to 64 of A-Z a-z 0-9 _ -`; `consent`: `"granted", "pending" or
 * "denied"`; `sessionTimeout`, `windowDays`: `a positive number`;
 * `maxEvents`: `a positive integer`; `onError`: `a function`; `catalog`: `a
 * URL, an array or a function`; `model`, `endpoint`, `profileEndpoint`: `a
 * URL` (http(s), absolute or relative); `experiment`: `{ holdout: 0 to 1
 * }`; `includePurchased`, `dedupe`: `true or false`; `locale`: `a language
 * tag`; `widgets`: `an object`.
 *
 * @example checkOptions({ site: 'my-shop' })
 */
export function checkOptions(options: LikewiseOptions): void {
  checkValue(options, OBJECT, 'createLikewise: options');
  checkFields(options, OPTIONS, 'createLikewise: ', 'site');
}
