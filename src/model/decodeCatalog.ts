/**
 * Reads catalogue shards and the manifest's catalogue section, checking
 * everything (the files are untrusted): the format is described in
 * `catalogFormat.ts`.
 */
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import {
  CATALOG_FIELDS,
  CATALOG_FORMAT,
  CATALOG_VERSION,
  type ManifestCatalog,
} from './catalogFormat';
import { checkFile, checkFolder, fileError, otherVersion } from './decodeModel';
import { hex8 } from './modelFormat';
import { shardOf } from './shardOf';

function invalid(message: string): LikewiseError {
  return new LikewiseError('INVALID_MODEL', message);
}

/**
 * Checks the `catalog` section of a parsed manifest.
 *
 * @param value - The section (`manifest.catalog`).
 * @param source - Where the manifest came from, for messages.
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Unsupported catalog version <v> in <source>: this likewise reads version 1.`,
 *   `Invalid model manifest <source>: catalog <what>.`
 * @example const section = validateCatalogSection(manifest.catalog, url);
 */
export function validateCatalogSection(value: unknown, source: string): ManifestCatalog {
  const bad = (field: string, what = '') =>
    invalid(`Invalid model manifest ${source}: catalog ${field}${what && ` ${what}`}.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('must be an object');
  const c = value as Record<string, unknown>;
  if (c.format !== CATALOG_FORMAT) throw bad('format', `must be '${CATALOG_FORMAT}'`);
  if (c.version !== CATALOG_VERSION)
    throw invalid(
      `Unsupported catalog version ${String(c.version)} in ${source}: this likewise reads version ${CATALOG_VERSION}.`,
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
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Catalog file <name> is not a likewise catalogue shard.`,
 *   `Catalog file <name> has version <v>: this likewise reads version 1.`,
 *   `Catalog file <name> is truncated: <got> of <size> bytes.`,
 *   `Catalog file <name> is corrupt: <why>.` (`checksum mismatch`, `it belongs
 *   to catalogue <id>`, `shard index or count differs from the manifest`,
 *   `<got> bytes, expected <size>`, `not JSON`, `rows are not arrays`).
 * @example const entries = decodeCatalogShard(bytes, manifest.catalog, 3, url);
 */
export function decodeCatalogShard(
  bytes: Uint8Array,
  section: ManifestCatalog,
  index: number,
  name: string,
): Record<string, unknown>[] {
  const foreign = () => fileError('Catalog', name, 'is not a likewise catalogue shard');
  const corrupt = (why: string) => fileError('Catalog', name, `is corrupt: ${why}`);
  const nl = bytes.indexOf(0x0a);
  if (nl < 0 || nl > 512) throw foreign();
  const decoder = new TextDecoder();
  let head: unknown;
  try {
    head = JSON.parse(`${decoder.decode(bytes.subarray(0, nl)).replace(/,$/, '')}]`);
  } catch {
    throw foreign();
  }
  if (!Array.isArray(head) || head[0] !== CATALOG_FORMAT) throw foreign();
  if (head[1] !== CATALOG_VERSION)
    throw fileError('Catalog', name, otherVersion(head[1], CATALOG_VERSION));
  const h = (head[2] ?? {}) as Record<string, unknown>;
  const body = bytes.subarray(nl + 1);
  if (typeof h.bytes !== 'number' || typeof h.checksum !== 'string') throw foreign();
  checkFile('Catalog', name, body.length, h.bytes, () => hex8(fnv1a(body)) === h.checksum);
  if (h.catalog !== section.id) throw corrupt(`it belongs to catalogue ${String(h.catalog)}`);
  if (h.shard !== index || h.shards !== section.shards)
    throw corrupt('shard index or count differs from the manifest');
  let doc: unknown;
  try {
    doc = JSON.parse(decoder.decode(bytes));
  } catch {
    throw corrupt('not JSON');
  }
  const [, , , prefixes, rows] = doc as unknown[];
  if (
    !Array.isArray(prefixes) ||
    prefixes.length !== CATALOG_FIELDS.length ||
    !prefixes.every((p) => typeof p === 'string') ||
    !Array.isArray(rows) ||
    !rows.every(Array.isArray)
  )
    throw corrupt('rows are not arrays');
  const out: Record<string, unknown>[] = [];
  for (const row of rows as unknown[][]) {
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
