import type { LikewiseEvent } from '../types';
import { baseOf } from './baseOf';
import type { Manifest } from './modelFormat';
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
 * the page's items and of the visitor's latest 12 items, before the reader
 * asks for them: the first widget waits one round trip less. The manifest
 * is read loosely here (the loader checks it): a file name that is not a
 * string is left alone. Never rejects, never throws.
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
  Promise.all([
    manifest.then((r) => (r.ok ? (r.clone().json() as Promise<Manifest>) : undefined)),
    deps.events(),
  ])
    .then(([m, events]) => {
      if (!m || !Number.isInteger(m.shards) || m.shards < 1) return;
      const file = (f: unknown) => typeof f === 'string' && deps.prefetch(dir + f);
      file(m.popularity?.file);
      const recent = events.slice(-12).map((e) => e.itemId);
      for (const id of new Set([...deps.onPage, ...recent]))
        if (id) file(m.files?.[shardOf(id, m.shards)]);
      deps.learn(events);
    })
    .catch(() => {});
}
