/**
 * The IndexedDB database name of one part of a site's data: `likewise-<site>`
 * or `likewise-<site>.<part>`. The part separator `.` is outside the site
 * alphabet (`[A-Za-z0-9_-]`, checked by `createLikewise`), so no site's parts
 * can collide with another site's names (site `a`'s events vs site `a-events`).
 *
 * @param site - The site id, 1 to 64 characters from `[A-Za-z0-9_-]`.
 * @param part - Optional suffix (`events`, `outbox`...), same alphabet.
 * @example databaseName('shop', 'events') // 'likewise-shop.events'
 */
export const databaseName = (site: string, part?: string): string =>
  'likewise-' + site + (part ? '.' + part : '');

/**
 * The storage bucket of a site's disposable data (the event log and the
 * session), where the browser has `navigator.storageBuckets`:
 * `likewise-<site>`, in the bucket alphabet `[a-z0-9_-]`: each capital and
 * `_` of the site becomes `_` and its lower case, so no two sites share a
 * bucket.
 *
 * @param site - A valid site id (see {@link databaseName}).
 * @example bucketName('Shop') // 'likewise-_shop'
 */
export const bucketName = (site: string): string =>
  'likewise-' + site.replace(/[A-Z_]/g, (c) => '_' + c.toLowerCase());
