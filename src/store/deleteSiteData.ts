import {
  connections,
  type ErrorReporter,
  failure,
  reporter,
  type StoreDeps,
  storageBuckets,
  webStorage,
} from './createConnection';
import { bucketName, databaseName } from './databaseName';
import { deleteDatabase } from './deleteDatabase';

/** Dependencies of {@link deleteSiteData}. */
export interface DeleteSiteDataDeps extends StoreDeps {
  /** Receives deletion failures (code `STORAGE`); the promise never rejects. */
  onError?: ErrorReporter;
}

/**
 * Erases everything likewise stored for one site: the database
 * `likewise-<site>` and every `likewise-<site>.<part>` (never another site's,
 * such as `likewise-<site>-2`), the site's storage bucket (event log and
 * session) where the browser has buckets, and the event store's unload
 * backup in `localStorage`. Stores of that site in this page are closed
 * first and keep working in memory for the rest of the page, so a failing or
 * retrying write cannot recreate what was erased. Resolves when done, or
 * after a bounded wait when another tab's connection blocks deletion (it
 * completes when that closes); never rejects.
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
  for (const c of connections) if (ours(c.name)) c.off();
  try {
    // The event store's unload backup is named after its database.
    webStorage(deps)?.removeItem(names[1]);
  } catch {
    // No usable localStorage: then there is no backup either.
  }
  const fail = (name: string) => failure(reporter(deps.onError), name);
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
