/**
 * The catalogue shard format: the shop's display data (titles, links,
 * images, prices) in small JSON files beside the model, so a page fetches
 * only the entries of the items it shows. Pure encode and decode, no I/O,
 * the same code in Node (`likewise train --catalog`, `likewise catalog`)
 * and in the browser.
 *
 * An item lives in shard `shardOf(id, shards)` (FNV-1a of the UTF-8 id, as
 * model shards), file `<dir><shard>.json` beside the manifest. `dir` is
 * `catalog-<id>/`, where `<id>` is the FNV-1a of every shard's checksum: a
 * new catalogue gets new URLs, so every file can be cached forever. The
 * manifest's `catalog` section has a constant size whatever the shop's size
 * (listing a checksum per shard would grow every page's manifest with the
 * catalogue); each shard carries its own size and checksum instead.
 *
 * A shard is one JSON document (served and compressed as JSON), written on
 * three lines:
 *
 * ```
 * ["likewise-catalog",1,{"catalog":"<id>","shard":s,"shards":S,"bytes":B,"checksum":"<fnv1a>"},
 * ["","","https://shop.example/p/",...],
 * [["sku-1","Title","sku-1",...],...]]
 * ```
 *
 * The first line is the header; `bytes` and `checksum` (FNV-1a 32, 8 hex
 * digits) cover everything after its newline. The second line gives a
 * prefix per field (the values' common start, written once), the third the
 * rows: `[id, title, url, image, price, currency, category, brand, inStock]`
 * without the prefixes, `null` for a missing field, trailing nulls left out.
 */
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import { cleanItem } from './cleanItem';
import { hex8, type ModelFile } from './modelFormat';
import { shardOf } from './shardOf';

/** The `format` of a catalogue section and of its shards. */
export const CATALOG_FORMAT = 'likewise-catalog';
/** The catalogue shard version this code writes and reads. */
export const CATALOG_VERSION = 1;
/** A row's fields, in order. */
export const CATALOG_FIELDS = [
  'id',
  'title',
  'url',
  'image',
  'price',
  'currency',
  'category',
  'brand',
  'inStock',
] as const;
/**
 * Entries per shard by default: a widget of 8 items touches about 8 to 16
 * shards, so a shard's size is what each shown item costs.
 */
export const DEFAULT_ENTRIES_PER_SHARD = 32;

/** The manifest's `catalog` section. */
export interface ManifestCatalog {
  format: typeof CATALOG_FORMAT;
  version: typeof CATALOG_VERSION;
  /** FNV-1a 32 of the shards' checksums, 8 hex digits. */
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

  const encoder = new TextEncoder();
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
    return encoder.encode(`${JSON.stringify(columns)},\n[${rows.join(',\n')}]]\n`);
  });
  const checksums = bodies.map((b) => hex8(fnv1a(b)));
  const id = hex8(fnv1a(encoder.encode(checksums.join(''))));
  const dir = `catalog-${id}/`;
  let bytes = 0;
  const files = bodies.map((body, s): ModelFile => {
    const head = encoder.encode(
      `${JSON.stringify([
        CATALOG_FORMAT,
        CATALOG_VERSION,
        { catalog: id, shard: s, shards, bytes: body.length, checksum: checksums[s] },
      ]).slice(0, -1)},\n`,
    );
    const file = new Uint8Array(head.length + body.length);
    file.set(head);
    file.set(body, head.length);
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
  const bad = (what: string) => invalid(`Invalid model manifest ${source}: catalog ${what}.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw bad('must be an object');
  const c = value as Record<string, unknown>;
  if (c.format !== CATALOG_FORMAT) throw bad(`format must be '${CATALOG_FORMAT}'`);
  if (c.version !== CATALOG_VERSION)
    throw invalid(
      `Unsupported catalog version ${String(c.version)} in ${source}: this likewise reads version ${CATALOG_VERSION}.`,
    );
  if (typeof c.id !== 'string' || !/^[0-9a-f]{8}$/.test(c.id)) throw bad('id must be 8 hex digits');
  if (c.dir !== `catalog-${c.id}/`) throw bad(`dir must be 'catalog-${c.id}/'`);
  if (!(Number.isInteger(c.shards) && (c.shards as number) >= 1 && (c.shards as number) <= 2 ** 24))
    throw bad('shards must be an integer from 1 to 16777216');
  if (c.hash !== 'fnv1a') throw bad("hash must be 'fnv1a'");
  if (!(Number.isInteger(c.items) && (c.items as number) >= 0))
    throw bad('items must be an integer >= 0');
  return value as ManifestCatalog;
}

/** The file of the shard that holds `itemId`, relative to the manifest. */
export function catalogShardFile(section: ManifestCatalog, itemId: string): string {
  return `${section.dir}${shardOf(itemId, section.shards)}.json`;
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
 *   `trailing bytes`, `not JSON`, `rows are not arrays`).
 * @example const entries = decodeCatalogShard(bytes, manifest.catalog, 3, url);
 */
export function decodeCatalogShard(
  bytes: Uint8Array,
  section: ManifestCatalog,
  index: number,
  name: string,
): Record<string, unknown>[] {
  const foreign = () => invalid(`Catalog file ${name} is not a likewise catalogue shard.`);
  const corrupt = (why: string) => invalid(`Catalog file ${name} is corrupt: ${why}.`);
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
    throw invalid(
      `Catalog file ${name} has version ${String(head[1])}: this likewise reads version ${CATALOG_VERSION}.`,
    );
  const h = (head[2] ?? {}) as Record<string, unknown>;
  const body = bytes.subarray(nl + 1);
  if (typeof h.bytes !== 'number' || typeof h.checksum !== 'string') throw foreign();
  if (body.length < h.bytes)
    throw invalid(`Catalog file ${name} is truncated: ${body.length} of ${h.bytes} bytes.`);
  if (body.length > h.bytes) throw corrupt('trailing bytes');
  if (hex8(fnv1a(body)) !== h.checksum) throw corrupt('checksum mismatch');
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
