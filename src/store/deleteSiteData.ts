import { LikewiseError } from '../errors';
import { connections, type ErrorReporter, reporter } from './createConnection';
import type { StoreDeps } from './createEventStore';
import { databaseName } from './databaseName';
import { deleteDatabase } from './deleteDatabase';

/** Dependencies of {@link deleteSiteData}. */
export interface DeleteSiteDataDeps extends StoreDeps {
  /** Receives deletion failures (code `STORAGE`); the promise never rejects. */
  onError?: ErrorReporter;
}

/**
 * Erases everything likewise stored for one site: every database named
 * `likewise-<site>` or `likewise-<site>-*`. Stores of that site in this page
 * are closed first and keep working in memory for the rest of the page, so
 * a failing or retrying write cannot recreate what was erased. Resolves when
 * done, or after a bounded wait when another tab's connection blocks
 * deletion (it completes when that closes); never rejects.
 *
 * @param site - The site id.
 * @param deps - Injected `indexedDB` and `onError`.
 * @throws LikewiseError `INVALID_OPTION` when `site` is invalid.
 * @example await deleteSiteData('shop')
 */
export function deleteSiteData(site: string, deps: DeleteSiteDataDeps = {}): Promise<void> {
  const base = databaseName(site);
  const report = reporter(deps.onError);
  const factory = deps.indexedDB;
  const ours = (name?: string) => name === base || !!name?.startsWith(base + '-');
  for (const c of connections) if (ours(c.name)) c.off();
  return (async () => {
    const names = new Set([base, base + '-events', base + '-outbox']);
    try {
      for (const d of await (factory || indexedDB).databases())
        if (ours(d.name)) names.add(d.name!);
    } catch {
      // No databases() (older Firefox) or no IndexedDB: the known names suffice.
    }
    await Promise.all(
      [...names].map(async (name) => {
        const e = await deleteDatabase(factory, name);
        if (e) report(new LikewiseError('STORAGE', `Cannot delete ${name}`, e));
      }),
    );
  })();
}
