import { catalogShardFile } from './catalogFormat';
import { SPARE } from './createCatalogPart';
import { validateCatalogSection } from './decodeCatalog';
import { validateManifest } from './decodeModel';
import { shardFile } from './modelFormat';
import { type LoadedModel, recommendWith } from './recommendWith';
import { shardOf } from './shardOf';

/** Options of {@link modelPreloads}. */
export interface ModelPreloadsOptions {
  /**
   * The model in memory (`openModel`, once per server): the catalogue
   * shards holding the items each of `itemIds`' `similar` widget shows a
   * new visitor first are named too, when the model has its catalogue
   * (`likewise train --catalog`).
   */
  model?: LoadedModel;
  /** Items the `similar` widget shows (its `data-limit`). Default 8. */
  limit?: number;
}

/**
 * The files a page will fetch first, for a server-rendered page to preload
 * with its HTML (`<link rel="preload" as="fetch" crossorigin>`): the
 * popularity list, which every widget reads, the model shards holding
 * `itemIds` (a product page's item) and, given `options.model`, the
 * catalogue shards of the items their `similar` widgets rank first (the
 * ones shown and the few spare candidates the page asks for beside them),
 * so a new visitor's first widget needs no download that starts after the
 * script. Paths are relative to the manifest's folder; they change with
 * every `likewise train` (`likewise catalog`), so read them from the
 * manifest deployed beside them.
 *
 * @param manifest - the parsed `manifest.json`
 * @param itemIds - the items the page shows neighbours of, if any
 * @param options - see {@link ModelPreloadsOptions}
 * @throws LikewiseError `INVALID_MODEL` when `manifest` is no likewise model manifest
 * @example modelPreloads(manifest, ['sku-1']) // ['popularity-2d437563.json', 'model-84b218ba/2.json']
 * @example modelPreloads(model.manifest, ['sku-1'], { model }) // ... and 'catalog-5be0e1a2/17.json', ...
 */
export function modelPreloads(
  manifest: unknown,
  itemIds: readonly string[] = [],
  options: ModelPreloadsOptions = {},
): string[] {
  const m = validateManifest(manifest, 'manifest');
  const files = new Set([m.popularity.file]);
  for (const id of itemIds) files.add(shardFile(m, shardOf(id, m.shards)));
  const { model, limit = 8 } = options;
  if (model && m.catalog) {
    const section = validateCatalogSection(m.catalog, 'manifest');
    // The page's catalogue ranks without entries and asks for the first
    // `limit + SPARE` candidates' shards (createCatalogPart): the same here.
    // The item itself is left out: its JSON-LD gives its entry.
    for (const itemId of itemIds)
      for (const s of recommendWith(model, { type: 'similar', itemId, limit: limit + SPARE }))
        files.add(catalogShardFile(section, s.id));
  }
  return [...files];
}
