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
}

/**
 * Once the manifest is here, starts the popularity list and the shards of
 * the page's items, and once the events are read too, those of the
 * visitor's latest 12 distinct items (those for-you starts from), before
 * the reader asks for them: the first widget waits one round trip less.
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
  // Popularity and the page's items' shards as soon as the manifest is here,
  // without waiting for the events.
  shards(deps.onPage);
  deps
    .events()
    .then((events) => {
      // The items for-you starts from, exactly those it will ask for.
      shards(anchorIds('for-you', undefined, events));
      deps.learn(events);
    })
    .catch(() => {});
}
