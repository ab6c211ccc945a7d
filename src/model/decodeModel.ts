/**
 * Reads and validates model files written by `encodeModel.ts` (format:
 * `modelFormat.ts`): the manifest, a shard, the popularity file. A foreign,
 * truncated, corrupt or old-format file is refused with `INVALID_MODEL`.
 */
import type { RankedList } from '../engine/neighbourSource';
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { decodeFile, fileError } from './decodeFile';
import {
  MAX_SHARDS,
  type Manifest,
  MODEL_FORMAT,
  MODEL_VERSION,
  POPULARITY_FORMAT,
  shardFile,
} from './modelFormat';

/** An item's ranked neighbours (best first), the engine's `RankedList` shape. */
export interface ModelList extends RankedList {
  ids: string[];
  scores: number[];
}

/** An owned item's lists in its shard: `similar`, then bought `together` (empty: none). */
export type ItemLists = [similar: ModelList, together: ModelList];

function invalid(message: string): LikewiseError {
  return new LikewiseError('INVALID_MODEL', message);
}

/** A finite number >= 0. */
const isScore = (v: unknown): v is number => typeof v === 'number' && v >= 0 && v < Infinity;

/**
 * Checks what a model's manifest and its catalogue section share and a
 * page reads (`items` is informational): `shards`, `hash`, and an `id` that names the folder `dir`
 * (`<kind>-<id>/`), throwing `bad(field, what)`.
 */
export function checkFolder(
  m: Record<string, unknown>,
  kind: string,
  bad: (field: string, what: string) => LikewiseError,
): void {
  if (
    !(Number.isInteger(m.shards) && (m.shards as number) >= 1 && (m.shards as number) <= MAX_SHARDS)
  )
    throw bad('shards', `must be an integer from 1 to ${MAX_SHARDS}`);
  if (m.hash !== 'fnv1a') throw bad('hash', "must be 'fnv1a'");
  if (typeof m.id !== 'string' || !/^[0-9a-f]{8}$/.test(m.id))
    throw bad('id', 'must be 8 hex digits');
  // Exactly the folder its id names: a manifest never points shards elsewhere.
  if (m.dir !== `${kind}-${m.id}/`) throw bad('dir', `must be '${kind}-${m.id}/'`);
}

/**
 * Checks a parsed `manifest.json` and returns it typed. Refuses a foreign
 * file, another version (a model built by an older likewise: rebuild it),
 * or missing or inconsistent fields the SDK reads.
 *
 * @param value - The parsed JSON.
 * @param source - Where it came from, for messages (a URL or path).
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Not a likewise model manifest: <source>.`,
 *   `Unsupported model version <v> in <source>: this likewise reads version 3 (rebuild the model with likewise train).`,
 *   `Invalid model manifest <source>: <field> ...`.
 * @example const manifest = validateManifest(await response.json(), url);
 */
export function validateManifest(value: unknown, source: string): Manifest {
  const m = (value ?? {}) as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) throw invalid(`Not a likewise model manifest: ${source}.`);
  if (m.version !== MODEL_VERSION)
    throw invalid(
      `Unsupported model version ${m.version} in ${source}: this likewise reads version ${MODEL_VERSION} (rebuild the model with likewise train).`,
    );
  const bad = (field: string, what: string) =>
    invalid(`Invalid model manifest ${source}: ${field} ${what}.`);
  checkFolder(m, 'model', bad);
  // A name in the manifest's folder, never a path or a URL elsewhere.
  if (!/^popularity-[0-9a-f]{8}\.json$/.test((m.popularity as Manifest['popularity'])?.file))
    throw bad('popularity', 'must name its popularity-<checksum>.json file');
  // What the SDK scores with: the history half-life and the type weights.
  const c = m.config as Partial<ModelConfig> | null | undefined;
  if (
    c !== undefined &&
    !(
      isScore(c?.recencyHalfLife) &&
      c.recencyHalfLife > 0 &&
      Object.values(c.weights ?? 0).every(isScore)
    )
  )
    throw bad('config', 'must give recencyHalfLife > 0 and weights >= 0');
  return value as Manifest;
}

/**
 * List `r` of a file whose scores' scale is `top` (`modelFormat.ts`):
 * `0` (none) or `[max, id, q, id, q, ...]`; `corrupt()` when it is neither.
 */
function readList(r: unknown, top: unknown, corrupt: () => LikewiseError): ModelList {
  const list: ModelList = { ids: [], scores: [] };
  if (
    !(isScore(top) && top > 0) ||
    (r !== 0 && !(Array.isArray(r) && r.length & 1 && isScore(r[0])))
  )
    throw corrupt();
  const row = r as number[] | 0;
  for (let p = 1; row && p < row.length; p += 2) {
    const j = row[p] as unknown;
    if (typeof j !== 'string' || !isScore(row[p + 1])) throw corrupt();
    list.ids.push(j);
    // As float32, as the batch scorer keeps them: the same answer either way.
    list.scores.push(Math.fround((row[p + 1] / top) * row[0]));
  }
  return list;
}

/**
 * Decodes and validates shard `index` of a model: its owned items' lists,
 * by item id.
 *
 * @param bytes - The file's bytes.
 * @param manifest - The model's manifest (its id and shard count).
 * @param index - Which shard this should be.
 * @throws LikewiseError `INVALID_MODEL`: those of `decodeFile` (`File
 *   <name> is not a likewise-model file.`, `... has version <v>, expected
 *   3.`, `... has <got> bytes, expected <size>.`, `... is corrupt:
 *   checksum mismatch.`, `... has id <id>, expected <id>.`...) and `File
 *   <name> is corrupt: lists do not match the ids.`
 * @example const lists = decodeShard(new Uint8Array(await res.arrayBuffer()), manifest, 3).get('sku-1');
 */
export function decodeShard(
  bytes: Uint8Array,
  manifest: Manifest,
  index: number,
): Map<string, ItemLists> {
  const name = shardFile(manifest, index);
  const [top, ids, ...kinds] = decodeFile(bytes, name, {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    id: manifest.id,
    shard: index,
    shards: manifest.shards,
  }) as [number, string[], ...unknown[][]];
  const corrupt = () => fileError(name, 'is corrupt: lists do not match the ids');
  const out = new Map<string, ItemLists>();
  if (
    !Array.isArray(ids) ||
    kinds.length !== 2 ||
    !kinds.every((rows) => Array.isArray(rows) && rows.length === ids.length)
  )
    throw corrupt();
  ids.forEach((id, x) => {
    if (typeof id !== 'string') throw corrupt();
    // An item without neighbours has an empty list, not none.
    out.set(id, kinds.map((rows) => readList(rows[x], top, corrupt)) as ItemLists);
  });
  return out;
}

/**
 * Decodes and validates the popularity file of a model: the most popular
 * items, best first.
 *
 * @throws LikewiseError `INVALID_MODEL`: those of `decodeFile` (`File
 *   <name> is ...`) and `File <name> is corrupt: not a list.`
 * @example const trending = decodePopularity(bytes, manifest);
 */
export function decodePopularity(bytes: Uint8Array, manifest: Manifest): ModelList {
  const { file } = manifest.popularity;
  const [top, list] = decodeFile(bytes, file, {
    format: POPULARITY_FORMAT,
    version: MODEL_VERSION,
    id: manifest.id,
  });
  return readList(list, top, () => fileError(file, 'is corrupt: not a list'));
}
