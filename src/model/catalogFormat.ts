/**
 * The catalogue shard format: the shop's display data (titles, links,
 * images, prices) in small JSON files beside the model, so a page fetches
 * only the entries of the items it shows. This file holds the format; the
 * writer is `encodeCatalog.ts` (Node: `likewise train --catalog`,
 * `likewise catalog`), the reader `decodeCatalog.ts` (the browser). Pure, no I/O.
 *
 * An item lives in shard `shardOf(id, shards)` (FNV-1a of the UTF-8 id, as
 * model shards), file `<dir><shard>.json` beside the manifest. `dir` is
 * `catalog-<id>/`, where `<id>` is the FNV-1a of the format, version and every shard's checksum (`folderId`): a
 * new catalogue gets new URLs, so every file can be cached forever. The
 * manifest's `catalog` section has a constant size whatever the shop's size
 * (listing a checksum per shard would grow every page's manifest with the
 * catalogue); each shard carries its own size and checksum instead.
 *
 * A shard is one JSON document (served and compressed as JSON), written on
 * three lines:
 *
 * ```
 * [{"format":"likewise-catalog","version":2,"catalog":"<id>","shard":s,"shards":S,"bytes":B,"checksum":"<fnv1a>"},
 * ["","","https://shop.example/p/",...],
 * [["sku-1","Title","sku-1",...],...]]
 * ```
 *
 * The first line is the header (the container of every file beside the
 * manifest, `decodeFile.ts`; version 2 since it became an object); `bytes`
 * and `checksum` (FNV-1a 32, 8 hex digits) cover everything after its
 * newline. The second line gives a
 * prefix per field (the values' common start, written once), the third the
 * rows: `[id, title, url, image, price, currency, category, brand, inStock]`
 * without the prefixes, `null` for a missing field, trailing nulls left out.
 */
import { ITEM_FIELDS } from './cleanItem';
import { shardOf } from './shardOf';

/** The `format` of a catalogue section and of its shards. */
export const CATALOG_FORMAT = 'likewise-catalog';
/** The catalogue shard version this code writes and reads. */
export const CATALOG_VERSION = 2;
/**
 * A row's fields, in order: those a catalogue entry keeps (`cleanItem`),
 * `[id, title, url, image, price, currency, category, brand, inStock]`
 * (a test holds the order), named once for the widget file.
 */
export const CATALOG_FIELDS: readonly string[] = ITEM_FIELDS;
/**
 * Entries per shard by default: a widget of 8 items touches about 8 to 16
 * shards, so a shard's size is what each shown item costs.
 */
export const DEFAULT_ENTRIES_PER_SHARD = 32;

/** The manifest's `catalog` section. */
export interface ManifestCatalog {
  format: typeof CATALOG_FORMAT;
  version: typeof CATALOG_VERSION;
  /** FNV-1a 32 of `likewise-catalog/<version>:` and the shards' checksums, 8 hex digits (`folderId`). */
  id: string;
  /** The shards' folder, relative to the manifest: `catalog-<id>/`. */
  dir: string;
  /** Shard count S: item `id` is in file `<dir><shardOf(id, S)>.json`. */
  shards: number;
  hash: 'fnv1a';
  /** Entries in the catalogue. */
  items: number;
  /** Bytes of all shards. */
  bytes: number;
  /** ISO date of the build. */
  createdAt: string;
}

/** The file of the shard that holds `itemId`, relative to the manifest. */
export function catalogShardFile(section: ManifestCatalog, itemId: string): string {
  return `${section.dir}${shardOf(itemId, section.shards)}.json`;
}
