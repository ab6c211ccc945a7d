import { validateManifest } from './decodeModel';
import { shardFile } from './modelFormat';
import { shardOf } from './shardOf';

/**
 * The model files a page will fetch first, for a server-rendered page to
 * preload with its HTML (`<link rel="preload" as="fetch" crossorigin>`):
 * the popularity list, which every widget reads, and the shards holding
 * `itemIds` (a product page's item). Paths are relative to the manifest's
 * folder; they change with every `likewise train`, so read them from the
 * manifest deployed beside them.
 *
 * @param manifest - the parsed `manifest.json`
 * @param itemIds - the items the page shows neighbours of, if any
 * @throws LikewiseError `INVALID_MODEL` when `manifest` is no likewise model manifest
 * @example modelPreloads(manifest, ['sku-1']) // ['popularity-2d437563.json', 'model-84b218ba/2.json']
 */
export function modelPreloads(manifest: unknown, itemIds: readonly string[] = []): string[] {
  const m = validateManifest(manifest, 'manifest');
  const shards = new Set(itemIds.map((id) => shardFile(m, shardOf(id, m.shards))));
  return [m.popularity.file, ...shards];
}
