// Only from modules without run-time imports (see ./connections).
import {
  connections,
  type ErrorReporter,
  reporter,
  type StorageBuckets,
  storageBuckets,
  webStorage,
} from './connections';
import type { Connection, failure, StoreDeps } from './createConnection';
import { bucketName, databaseName } from './databaseName';
import { deleteDatabase } from './deleteDatabase';
import { stopConnection } from './runInMemory';

// The `erase` part: what deletes databases and buckets, loaded only when that
// happens (forget(), a withdrawal, quota recovery), so no other page pays for it.

/** Dependencies of {@link deleteSiteData}. */
export interface DeleteSiteDataDeps extends StoreDeps {
  /** Receives deletion failures (code `STORAGE`); the promise never rejects. */
  onError?: ErrorReporter;
  /**
   * The page's connections, to stop the site's first. Default: this module's
   * (the script tag's core passes its own: this part is a file of its own there).
   */
  connections?: Set<Connection>;
  /**
   * Makes the reporter of one database's failures: the core's `failure`
   * (`STORAGE`, `IndexedDB failed: <name>`), passed in so that this part does
   * not import the error class (which made bundlers split that class into a
   * chunk of its own on every page). Default: the bare error goes to `onError`.
   */
  failure?: typeof failure;
}

/**
 * A connection's `drop`: deletes its database, or its storage bucket when it
 * has one (`buckets` given), once the last connection has closed (`closed`):
 * a bucket deleted under a live connection is not freed. Never rejects.
 */
export const drop = (
  factory: IDBFactory | null | undefined,
  name: string,
  fail: (error: unknown) => void,
  buckets: StorageBuckets | false | undefined,
  bucket: string,
  closed: Promise<void> | undefined,
): Promise<void> =>
  buckets
    ? Promise.resolve(closed)
        .then(() => buckets.delete(bucket))
        .catch(fail)
    : deleteDatabase(factory, name, fail);

/**
 * Erases everything likewise stored for one site: the database
 * `likewise-<site>` and every `likewise-<site>.<part>` (never another site's,
 * such as `likewise-<site>-2`), the site's storage bucket (event log and
 * session) where the browser has buckets, and in `localStorage` the event
 * store's unload backup and the widgets' prefetch hint
 * (`likewise-<site>.recent`, src/startWidgets.ts). Stores of that site in
 * this page are closed first and keep working in memory for the rest of
 * the page, so a failing or retrying write cannot recreate what was erased.
 * Resolves when done, or after a bounded wait when another tab's connection
 * blocks deletion (it completes when that closes); never rejects.
 *
 * @param site - The site id.
 * @param deps - Injected `indexedDB` and `onError`.
 * @example await deleteSiteData('shop')
 */
export function deleteSiteData(site: string, deps: DeleteSiteDataDeps = {}): Promise<void> {
  const base = databaseName(site);
  const factory = deps.indexedDB;
  const names = [base, base + '.events', base + '.outbox', base + '.session'];
  const ours = (name = '') => name === base || name.startsWith(base + '.');
  for (const c of deps.connections ?? connections) if (ours(c.name)) stopConnection(c);
  try {
    // The event store's unload backup is named after its database.
    const ls = webStorage(deps);
    ls?.removeItem(names[1]);
    ls?.removeItem(base + '.recent');
  } catch {
    // No usable localStorage: then there is no backup either.
  }
  const report = reporter(deps.onError) as (e: unknown) => void;
  const fail = (name: string) => deps.failure?.(report, name) ?? report;
  const bucket = bucketName(site);
  return (async () => {
    try {
      for (const d of await (factory || indexedDB).databases()) names.push(d.name!);
    } catch {
      // No databases() (older Firefox) or no IndexedDB: the known names suffice.
    }
    await Promise.all([
      storageBuckets(factory)?.delete(bucket).catch(fail(bucket)),
      ...[...new Set(names.filter(ours))].map((name) => deleteDatabase(factory, name, fail(name))),
    ]);
  })();
}
