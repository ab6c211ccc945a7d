import type { LikewiseEvent } from '../types';
import { anchorIds } from './anchorIds';
import { baseOf } from './baseOf';
import { type Manifest, shardFile } from './modelFormat';
import { shardOf } from './shardOf';

/** What {@link prefetchModel} needs. */
export interface PrefetchModelDeps {
  /** Starts a request now for the reader to take later (see `createPrefetcher`). */
  prefetch(url: string): unknown;
  /** The visitor's events, oldest first. */
  events(): Promise<LikewiseEvent[]>;
  /** Item ids of the page's widget containers (`data-item-id`). */
  onPage: string[];
  /** Called when the visitor's events can teach the device something (see `hasCoViews`). */
  learn(events: LikewiseEvent[]): void;
  /**
   * The items for-you started from on an earlier page (see `remember`), or
   * none: their shards start with the page's, before the events are read.
   */
  recent: string[];
  /** Keeps the items for-you starts from, once the events are read, for the next page's `recent`. */
  remember(ids: string[]): void;
}

/**
 * Once the manifest is here, starts the popularity list and the shards of
 * the page's items and of `recent` (for-you's items on an earlier page),
 * and once the events are read too, those of the visitor's latest 12
 * distinct items (those for-you starts from, handed to `remember`), before
 * the reader asks for them: the first widget waits one round trip less, and
 * a returning visitor's for-you does not wait for the storage to open.
 * The manifest is read loosely here (the loader checks it and refuses it,
 * so a broken one costs a wasted request at most): a popularity file name
 * that is not a string is left alone. Never rejects, never throws.
 *
 * @param url - the manifest's URL, absolute
 * @param manifest - its response, already on its way (read from a clone)
 */
export function prefetchModel(
  url: string,
  manifest: Promise<Response>,
  deps: PrefetchModelDeps,
): void {
  const dir = baseOf(url);
  const read = manifest.then((r) => (r.ok ? (r.clone().json() as Promise<Manifest>) : undefined));
  const shards = (ids: unknown[]) =>
    read
      .then((m) => {
        const file = (f: unknown) => typeof f === 'string' && deps.prefetch(dir + f);
        if ((m?.shards as number) > 0) {
          file(m!.popularity?.file);
          for (const id of ids) file(shardFile(m!, shardOf(id as string, m!.shards)));
        }
      })
      .catch(() => {});
  // Popularity, the page's items' shards and those for-you started from on
  // the page before as soon as the manifest is here, without waiting for
  // the events (reading them takes a storage open).
  shards([...deps.onPage, ...deps.recent]);
  deps
    .events()
    .then((events) => {
      // The items for-you starts from, exactly those it will ask for.
      const ids = anchorIds('for-you', undefined, events);
      shards(ids);
      deps.remember(ids);
      deps.learn(events);
    })
    .catch(() => {});
}
