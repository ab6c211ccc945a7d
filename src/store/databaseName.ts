import { LikewiseError } from '../errors';

// The name ends up in a database name shared by every script of the origin:
// a strict alphabet keeps sites apart and names predictable for deletion.
const ALPHABET = /^[\w-]{1,64}$/;

const check = (value: unknown, label: string): string => {
  if (typeof value !== 'string' || !ALPHABET.test(value)) {
    throw new LikewiseError('INVALID_OPTION', label + ' must match ' + ALPHABET);
  }
  return value;
};

/**
 * The IndexedDB database name of one part of a site's data: `likewise-<site>`
 * or `likewise-<site>.<part>`. The part separator `.` is outside the site
 * alphabet, so no site's parts can collide with another site's names
 * (site `a`'s events vs site `a-events`).
 *
 * @param site - The site id, 1 to 64 characters from `[A-Za-z0-9_-]`.
 * @param part - Optional suffix (`events`, `outbox`...), same alphabet.
 * @throws LikewiseError `INVALID_OPTION` when `site` or `part` is invalid.
 * @example databaseName('shop', 'events') // 'likewise-shop.events'
 */
export function databaseName(site: unknown, part?: unknown): string {
  return 'likewise-' + check(site, 'site') + (part === undefined ? '' : '.' + check(part, 'name'));
}
