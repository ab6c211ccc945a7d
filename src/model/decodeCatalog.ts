/**
 * Reads catalogue shards and the manifest's catalogue section, checking
 * everything (the files are untrusted): the format is described in
 * `catalogFormat.ts`.
 */
import { LikewiseError } from '../errors';
import {
  CATALOG_FIELDS,
  CATALOG_FORMAT,
  CATALOG_VERSION,
  type ManifestCatalog,
} from './catalogFormat';
import { decodeFile, fileError } from './decodeFile';
import { checkFolder } from './decodeModel';
import { shardOf } from './shardOf';

/**
 * Checks the `catalog` section of a parsed manifest.
 *
 * @param value - The section (`manifest.catalog`).
 * @param source - Where the manifest came from, for messages.
 * @throws LikewiseError `INVALID_MODEL`: `Invalid model manifest <source>:
 *   catalog <field> <what>.`, among them `catalog version must be 2
 *   (rebuild the catalogue with likewise catalog).`
 * @example const section = validateCatalogSection(manifest.catalog, url);
 */
export function validateCatalogSection(value: unknown, source: string): ManifestCatalog {
  const bad = (field: string, what: string) =>
    new LikewiseError(
      'INVALID_MODEL',
      `Invalid model manifest ${source}: catalog ${field} ${what}.`,
    );
  // Not an object: no format either.
  const c = (value ?? {}) as Record<string, unknown>;
  if (c.format !== CATALOG_FORMAT) throw bad('format', `must be '${CATALOG_FORMAT}'`);
  if (c.version !== CATALOG_VERSION)
    throw bad(
      'version',
      `must be ${CATALOG_VERSION} (rebuild the catalogue with likewise catalog)`,
    );
  checkFolder(c, 'catalog', bad);
  return value as ManifestCatalog;
}

/**
 * Decodes and checks catalogue shard `index`: header, size, checksum and
 * layout. The entries are returned as plain objects, still untrusted: the
 * caller checks each (`cleanItem`). Rows whose id belongs to another shard
 * are left out.
 *
 * @param bytes - The file's bytes.
 * @param section - The manifest's catalogue section.
 * @param index - Which shard this should be.
 * @param name - The file's name or URL, for messages.
 * @throws LikewiseError `INVALID_MODEL`: those of `decodeFile` (`File
 *   <name> is not a likewise-catalog file.`, `... has version <v>,
 *   expected 2.`, `... has <got> bytes, expected <size>.`, `... is
 *   corrupt: checksum mismatch.`, `... has catalog <id>, expected <id>.`...)
 *   and `File <name> is corrupt: rows are not arrays.`
 * @example const entries = decodeCatalogShard(bytes, manifest.catalog, 3, url);
 */
export function decodeCatalogShard(
  bytes: Uint8Array,
  section: ManifestCatalog,
  index: number,
  name: string,
): Record<string, unknown>[] {
  const [prefixes, rows] = decodeFile(bytes, name, {
    format: CATALOG_FORMAT,
    version: CATALOG_VERSION,
    catalog: section.id,
    shard: index,
    shards: section.shards,
  }) as [string[], unknown[][]];
  if (
    !Array.isArray(prefixes) ||
    prefixes.length !== CATALOG_FIELDS.length ||
    !prefixes.every((p) => typeof p === 'string') ||
    !Array.isArray(rows) ||
    !rows.every(Array.isArray)
  )
    throw fileError(name, 'is corrupt: rows are not arrays');
  const out: Record<string, unknown>[] = [];
  for (const row of rows) {
    const entry: Record<string, unknown> = {};
    for (let f = 0; f < CATALOG_FIELDS.length && f < row.length; f++) {
      const v = row[f];
      if (v === null || v === undefined) continue;
      entry[CATALOG_FIELDS[f]] = typeof v === 'string' ? prefixes[f] + v : v;
    }
    if (typeof entry.id === 'string' && shardOf(entry.id, section.shards) === index)
      out.push(entry);
  }
  return out;
}
