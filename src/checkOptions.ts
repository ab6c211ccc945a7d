import type { LikewiseOptions } from './createLikewise';
import { LikewiseError } from './errors';
import type { ExperimentOptions } from './metrics/assignGroup';
import { safeUrl } from './shared/safeUrl';
import { CONSENTS, type ConsentState } from './track/createTracker';
import { show } from './track/validateEvent';

type OptionRule = [name: keyof LikewiseOptions, ok: (v: unknown) => boolean, rule: string];
/** An http(s) URL, absolute or relative (the page's base is not known yet: any will do). */
const isUrl = (v: unknown) => safeUrl(v, 'http://localhost/') !== undefined;
const isBoolean = (v: unknown) => typeof v === 'boolean';
const isPositive = (v: unknown) => typeof v === 'number' && v > 0 && v < 1 / 0;
/** Checked in this order; `site` is required, the rest only when given. Add new options here. */
const OPTION_RULES: OptionRule[] = [
  [
    'site',
    (v) => typeof v === 'string' && /^[\w-]{1,64}$/.test(v),
    '1 to 64 characters of A-Z, a-z, 0-9, _ or -',
  ],
  ['consent', (v) => CONSENTS.includes(v as ConsentState), '"granted", "pending" or "denied"'],
  ['sessionTimeout', isPositive, 'a positive number of milliseconds'],
  ['maxEvents', (v) => Number.isInteger(v) && (v as number) > 0, 'a positive integer'],
  ['onError', (v) => typeof v === 'function', 'a function'],
  [
    'catalog',
    (v) => isUrl(v) || Array.isArray(v) || typeof v === 'function',
    'a URL, an array of items or a function',
  ],
  ['model', isUrl, 'a URL'],
  ['worker', (v) => v === false || isUrl(v), 'a URL or false'],
  ['endpoint', isUrl, 'a URL'],
  ['profileEndpoint', isUrl, 'a URL'],
  [
    'experiment',
    (v) => {
      const { holdout: h, control: c } = (v ?? {}) as ExperimentOptions;
      return (
        typeof h === 'number' &&
        h >= 0 &&
        h <= 1 &&
        (c === undefined || c === 'trending' || c === 'none')
      );
    },
    'an object like { holdout: 0.1 } (a share from 0 to 1)',
  ],
  ['windowDays', isPositive, 'a positive number of days'],
  ['includePurchased', isBoolean, 'true or false'],
  ['dedupe', isBoolean, 'true or false'],
  ['locale', (v) => typeof v === 'string' && v !== '', 'a language tag like "de-DE"'],
  ['widgets', (v) => typeof v === 'object' && v !== null, 'an object of widget options'],
];

/**
 * Checks the options of `createLikewise` at once. Throws `INVALID_OPTION`
 * with one of these exact messages:
 * - `createLikewise needs an options object with a "site".`
 * - `Option "site" must be 1 to 64 characters of A-Z, a-z, 0-9, _ or -, got <v>.`
 * - `Option "consent" must be "granted", "pending" or "denied", got <v>.`
 * - `Option "sessionTimeout" must be a positive number of milliseconds, got <v>.`
 * - `Option "maxEvents" must be a positive integer, got <v>.`
 * - `Option "onError" must be a function, got <v>.`
 * - `Option "catalog" must be a URL, an array of items or a function, got <v>.`
 * - `Option "model" must be a URL, got <v>.` (likewise `endpoint`, `profileEndpoint`;
 *   `worker`: `a URL or false`): an http(s) URL, absolute or relative
 * - `Option "experiment" must be an object like { holdout: 0.1 } (a share from 0 to 1), got <v>.`
 * - `Option "windowDays" must be a positive number of days, got <v>.`
 * - `Option "includePurchased" must be true or false, got <v>.` (likewise `dedupe`)
 * - `Option "locale" must be a language tag like "de-DE", got <v>.`
 * - `Option "widgets" must be an object of widget options, got <v>.`
 *
 * @example checkOptions({ site: 'my-shop' })
 */
export function checkOptions(options: LikewiseOptions): void {
  if (typeof options !== 'object' || options === null)
    throw new LikewiseError(
      'INVALID_OPTION',
      'createLikewise needs an options object with a "site".',
    );
  for (const [name, ok, rule] of OPTION_RULES) {
    const v = options[name];
    if ((v !== undefined || name === 'site') && !ok(v))
      throw new LikewiseError(
        'INVALID_OPTION',
        `Option "${name}" must be ${rule}, got ${show(v)}.`,
      );
  }
}
