/**
 * Writes catalogue shards: the format is described in `catalogFormat.ts`.
 */
import { LikewiseError } from '../errors';
import {
  CATALOG_FIELDS,
  CATALOG_FORMAT,
  CATALOG_VERSION,
  DEFAULT_ENTRIES_PER_SHARD,
  type ManifestCatalog,
} from './catalogFormat';
import { cleanItem } from './cleanItem';
import { bodyBytes, checksumOf, encodeFile, folderId } from './encodeFile';
import type { ModelFile } from './modelFormat';
import { shardOf } from './shardOf';

/** Options of {@link encodeCatalog}. */
export interface EncodeCatalogOptions {
  /** Entries per shard on average. Default {@link DEFAULT_ENTRIES_PER_SHARD}. */
  entriesPerShard?: number;
  /** Build time. Default now. */
  createdAt?: Date;
}

/** What {@link encodeCatalog} returns. */
export interface EncodedCatalog {
  section: ManifestCatalog;
  /** The shard files; names are relative to the manifest (`catalog-<id>/<s>.json`). */
  files: ModelFile[];
  /** Entries left out: no valid id, title or http(s) URL. */
  dropped: number;
}

/** Checks entries against a base, so relative links pass as they will on the shop's pages. */
const CHECK_BASE = 'https://catalog.invalid/';

/** The longest common start of `values`. */
function commonPrefix(values: string[]): string {
  if (values.length < 2) return '';
  let prefix = values[0];
  for (const v of values) {
    let n = 0;
    const max = Math.min(prefix.length, v.length);
    while (n < max && prefix.charCodeAt(n) === v.charCodeAt(n)) n++;
    prefix = prefix.slice(0, n);
    if (!prefix) break;
  }
  // Never split a surrogate pair.
  const last = prefix.charCodeAt(prefix.length - 1);
  return last >= 0xd800 && last < 0xdc00 ? prefix.slice(0, -1) : prefix;
}

/**
 * Encodes catalogue entries into shards. Entries are checked as the page
 * checks them (`cleanItem`): one without a usable id, title or http(s) or
 * relative link is dropped and counted; links are kept as written, so
 * relative ones resolve against the page. A later entry with the same id
 * completes and overrides an earlier one.
 *
 * @param entries - Catalogue entries (`{ id, title, url, image?, price?, currency?, category?, brand?, inStock? }`).
 * @param options - See {@link EncodeCatalogOptions}.
 * @throws LikewiseError `INVALID_OPTION` when `entriesPerShard` is not an integer from 1 to 100000.
 * @example const { section, files } = encodeCatalog(JSON.parse(text));
 */
export function encodeCatalog(
  entries: readonly unknown[],
  options: EncodeCatalogOptions = {},
): EncodedCatalog {
  const per = options.entriesPerShard ?? DEFAULT_ENTRIES_PER_SHARD;
  if (!(Number.isInteger(per) && per >= 1 && per <= 100_000))
    throw new LikewiseError(
      'INVALID_OPTION',
      `entriesPerShard must be an integer from 1 to 100000, got ${String(per)}`,
    );
  const byId = new Map<string, Record<string, unknown>>();
  let dropped = 0;
  for (const raw of entries) {
    const clean = cleanItem(raw, CHECK_BASE) as Record<string, unknown> | undefined;
    if (!clean) {
      dropped++;
      continue;
    }
    // Links as written (validated above): a relative one resolves on the page.
    const r = raw as Record<string, unknown>;
    clean.url = r.url;
    if (clean.image !== undefined) clean.image = r.image;
    byId.set(clean.id as string, { ...byId.get(clean.id as string), ...clean });
  }
  const ids = [...byId.keys()].sort();
  const shards = Math.max(1, Math.ceil(ids.length / per));
  const groups: string[][] = Array.from({ length: shards }, () => []);
  for (const id of ids) groups[shardOf(id, shards)].push(id);

  const bodies = groups.map((group) => {
    const columns = CATALOG_FIELDS.map((field, f) =>
      f === 0
        ? ''
        : commonPrefix(
            group
              .map((id) => byId.get(id)![field])
              .filter((v): v is string => typeof v === 'string'),
          ),
    );
    const rows = group.map((id) => {
      const item = byId.get(id)!;
      const row = CATALOG_FIELDS.map((field, f) => {
        const v = item[field];
        return v === undefined ? null : typeof v === 'string' ? v.slice(columns[f].length) : v;
      });
      while (row[row.length - 1] === null) row.pop();
      return JSON.stringify(row);
    });
    return bodyBytes(`${JSON.stringify(columns)},\n[${rows.join(',\n')}]`);
  });
  const sums = bodies.map(checksumOf);
  const id = folderId(CATALOG_FORMAT, CATALOG_VERSION, sums);
  const dir = `catalog-${id}/`;
  let bytes = 0;
  const files = bodies.map((body, s): ModelFile => {
    const file = encodeFile(
      CATALOG_FORMAT,
      CATALOG_VERSION,
      { catalog: id, shard: s, shards },
      body,
      sums[s],
    );
    bytes += file.length;
    return { name: `${dir}${s}.json`, bytes: file };
  });
  return {
    section: {
      format: CATALOG_FORMAT,
      version: CATALOG_VERSION,
      id,
      dir,
      shards,
      hash: 'fnv1a',
      items: ids.length,
      bytes,
      createdAt: (options.createdAt ?? new Date()).toISOString(),
    },
    files,
    dropped,
  };
}
