/**
 * Reads and validates model files written by `encodeModel.ts` (format:
 * `modelFormat.ts`): the manifest, a shard, the popularity file. A foreign,
 * truncated or corrupt file is refused with `INVALID_MODEL`.
 */
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import {
  CHECKSUM_AT,
  HEADER_BYTES,
  hex8,
  LENGTH_AT,
  MAX_SHARDS,
  type Manifest,
  MODEL_FORMAT,
  MODEL_ID_AT,
  MODEL_VERSION,
  SHARD_MAGIC,
  shardFile,
} from './modelFormat';

/** An item's ranked neighbours (best first), the engine's `RankedList` shape. */
export interface ModelList {
  ids: readonly string[];
  scores: ArrayLike<number>;
}

/** Lists of one kind (similar or together) for the items of one shard, in CSR form. */
export interface ShardLists {
  /** Length n + 1. */
  offsets: Uint32Array;
  /** Indexes into {@link DecodedShard.ids}. */
  indices: Uint32Array;
  scores: Float32Array;
}

/** A decoded shard. */
export interface DecodedShard {
  index: number;
  /** The shard's id table; the first `items` entries are the items it owns. */
  ids: string[];
  /** Items owned by the shard. */
  items: number;
  similar: ShardLists;
  together: ShardLists;
}

function invalid(message: string): LikewiseError {
  return new LikewiseError('INVALID_MODEL', message);
}

/** `<kind> file <name> <what>.`, an `INVALID_MODEL` error (the model's and the catalogue's files). */
export const fileError = (kind: string, name: string, what: string): LikewiseError =>
  invalid(`${kind} file ${name} ${what}.`);

/** `has version <v>: this likewise reads version <version>`. */
export const otherVersion = (v: unknown, version: number): string =>
  `has version ${String(v)}: this likewise reads version ${version}`;

/**
 * Checks a file's size (`got` bytes of `size`) and then its checksum
 * (`sum`), throwing {@link fileError}s: `is truncated: <got> of <size>
 * bytes`, `is corrupt: <got> bytes, expected <size>`, `is corrupt: checksum
 * mismatch`.
 */
export function checkFile(
  kind: string,
  name: string,
  got: number,
  size: number,
  sum: () => boolean,
): void {
  if (got < size) throw fileError(kind, name, `is truncated: ${got} of ${size} bytes`);
  if (got > size) throw fileError(kind, name, `is corrupt: ${got} bytes, expected ${size}`);
  if (!sum()) throw fileError(kind, name, 'is corrupt: checksum mismatch');
}

const isCount = (v: unknown, min = 0): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min;
/**
 * Checks what a model's manifest and its catalogue section share: `items`,
 * `shards`, `hash`, and an `id` that names the folder `dir`
 * (`<kind>-<id>/`), throwing `bad(field, what)`.
 */
export function checkFolder(
  m: Record<string, unknown>,
  kind: string,
  bad: (field: string, what: string) => LikewiseError,
): void {
  if (!isCount(m.items)) throw bad('items', 'must be an integer >= 0');
  if (!isCount(m.shards, 1) || m.shards > MAX_SHARDS)
    throw bad('shards', `must be an integer from 1 to ${MAX_SHARDS}`);
  if (m.hash !== 'fnv1a') throw bad('hash', "must be 'fnv1a'");
  if (typeof m.id !== 'string' || !/^[0-9a-f]{8}$/.test(m.id))
    throw bad('id', 'must be 8 hex digits');
  // Exactly the folder its id names: a manifest never points shards elsewhere.
  if (m.dir !== `${kind}-${m.id}/`) throw bad('dir', `must be '${kind}-${m.id}/'`);
}

/**
 * Checks a parsed `manifest.json` and returns it typed. Refuses a foreign
 * file, another version, or missing or inconsistent fields.
 *
 * @param value - The parsed JSON.
 * @param source - Where it came from, for messages (a URL or path).
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Not a likewise model manifest: <source>.`,
 *   `Unsupported model version <v> in <source>: this likewise reads version 2.`,
 *   `Invalid model manifest <source>: <field> ...`.
 * @example const manifest = validateManifest(await response.json(), url);
 */
export function validateManifest(value: unknown, source: string): Manifest {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`Not a likewise model manifest: ${source}.`);
  }
  const m = value as Record<string, unknown>;
  if (m.format !== MODEL_FORMAT) throw invalid(`Not a likewise model manifest: ${source}.`);
  if (m.version !== MODEL_VERSION) {
    throw invalid(
      `Unsupported model version ${String(m.version)} in ${source}: this likewise reads version ${MODEL_VERSION}.`,
    );
  }
  const bad = (field: string, what: string) =>
    invalid(`Invalid model manifest ${source}: ${field} ${what}.`);
  checkFolder(m, 'model', bad);
  if (m.scoreBits !== 8 && m.scoreBits !== 16) throw bad('scoreBits', 'must be 8 or 16');
  const p = m.popularity as Record<string, unknown> | null | undefined;
  if (
    typeof p !== 'object' ||
    p === null ||
    typeof p.file !== 'string' ||
    typeof p.checksum !== 'string' ||
    !isCount(p.bytes)
  ) {
    throw bad('popularity', 'must name a file with its checksum and size');
  }
  const t = m.together as Record<string, unknown> | null | undefined;
  if (typeof t !== 'object' || t === null || !isCount(t.k) || !Array.isArray(t.types)) {
    throw bad('together', 'must give k and types');
  }
  // What the SDK scores with: the history half-life and the type weights.
  const c = m.config as Partial<ModelConfig> | null | undefined;
  if (
    c !== undefined &&
    (typeof c !== 'object' ||
      c === null ||
      !(typeof c.recencyHalfLife === 'number' && c.recencyHalfLife > 0) ||
      typeof c.weights !== 'object' ||
      c.weights === null ||
      !Object.values(c.weights).every((w) => typeof w === 'number' && w >= 0 && w < Infinity))
  ) {
    throw bad('config', 'must give recencyHalfLife > 0 and weights >= 0');
  }
  return value as Manifest;
}

/**
 * Decodes and validates shard `index` of a model.
 *
 * @param bytes - The file's bytes.
 * @param manifest - The model's manifest (its id, shard count and score width; the size and checksum are the shard's own).
 * @param index - Which shard this should be.
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Model file <name> is not a likewise shard.`,
 *   `Model file <name> has version <v>: this likewise reads version 2.`,
 *   `Model file <name> is truncated: <got> of <size> bytes.` (`<size>` is
 *   the 40-byte header for a file shorter than it),
 *   `Model file <name> is corrupt: checksum mismatch.` (or another reason:
 *   `it belongs to another model`, `shard index or count differs from the
 *   manifest`...).
 * @example const shard = decodeShard(new Uint8Array(await res.arrayBuffer()), manifest, 3);
 */
export function decodeShard(bytes: Uint8Array, manifest: Manifest, index: number): DecodedShard {
  const name = shardFile(manifest, index);
  const size = bytes.length;
  for (let i = 0; i < 4 && i < size; i++) {
    if (bytes[i] !== SHARD_MAGIC[i]) throw fileError('Model', name, 'is not a likewise shard');
  }
  if (size > 4 && bytes[4] !== MODEL_VERSION)
    throw fileError('Model', name, otherVersion(bytes[4], MODEL_VERSION));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const corrupt = (why: string) => fileError('Model', name, `is corrupt: ${why}`);
  // Shorter than the header: as many bytes as it, at least, are missing.
  checkFile(
    'Model',
    name,
    size,
    size < HEADER_BYTES ? HEADER_BYTES : view.getUint32(LENGTH_AT, true),
    () => fnv1a(bytes, CHECKSUM_AT + 4) === view.getUint32(CHECKSUM_AT, true),
  );
  // The fields before the checksum, each against the manifest.
  if (view.getUint32(MODEL_ID_AT, true) !== Number.parseInt(manifest.id, 16))
    throw corrupt('it belongs to another model');
  const scoreBits = bytes[5];
  // Version (checked above), score width and the reserved zeros at once.
  if (
    view.getUint32(4, true) !== MODEL_VERSION + scoreBits * 256 ||
    scoreBits !== manifest.scoreBits
  )
    throw corrupt('score width differs from the manifest');
  if (view.getUint32(12, true) !== index || view.getUint32(16, true) !== manifest.shards) {
    throw corrupt('shard index or count differs from the manifest');
  }
  const n = view.getUint32(28, true);
  const m = view.getUint32(32, true);
  const blockBytes = view.getUint32(36, true);
  if (n > m) throw corrupt('more items than ids');
  let pos = HEADER_BYTES;
  const end = bytes.length;
  const varint = (): number => {
    let v = 0;
    let shift = 0;
    for (;;) {
      if (pos >= end || shift > 28) throw corrupt('unexpected end of data');
      const b = bytes[pos++];
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return v;
      shift += 7;
    }
  };
  const prefixes: number[] = new Array(m);
  const lens: number[] = new Array(m);
  for (let i = 0; i < m; i++) {
    prefixes[i] = varint();
    lens[i] = varint();
  }
  if (pos + blockBytes > end) throw corrupt('unexpected end of data');
  const text = new TextDecoder().decode(bytes.subarray(pos, pos + blockBytes));
  pos += blockBytes;
  const ids: string[] = new Array(m);
  let at = 0;
  let previous = '';
  for (let i = 0; i < m; i++) {
    if (prefixes[i] > previous.length) throw corrupt('id table does not match its lengths');
    previous = ids[i] = previous.slice(0, prefixes[i]) + text.slice(at, at + lens[i]);
    at += lens[i];
  }
  if (at !== text.length) throw corrupt('id table does not match its lengths');
  const qmax = scoreBits === 8 ? 255 : 65535;
  const readLists = (): ShardLists => {
    const offsets = new Uint32Array(n + 1);
    // A neighbour takes two bytes at least (its index and its score): the
    // rest of the file bounds how many there are.
    const indices = new Uint32Array(end - pos);
    const scores = new Float32Array(end - pos);
    let kept = 0;
    for (let x = 0; x < n; x++) {
      offsets[x] = kept;
      const c = varint();
      if (c === 0) continue;
      if (c > m || pos + 4 > end) throw corrupt('unexpected end of data');
      const max = view.getFloat32(pos, true);
      pos += 4;
      for (let p = 0; p < c; p++) {
        const j = varint();
        if (j >= m) throw corrupt('neighbour index out of range');
        indices[kept + p] = j;
      }
      const width = scoreBits / 8;
      if (pos + c * width > end) throw corrupt('unexpected end of data');
      for (let p = 0; p < c; p++) {
        const q = width === 1 ? bytes[pos] : view.getUint16(pos, true);
        pos += width;
        scores[kept + p] = (q / qmax) * max;
      }
      kept += c;
    }
    offsets[n] = kept;
    return { offsets, indices: indices.subarray(0, kept), scores: scores.subarray(0, kept) };
  };
  const similar = readLists();
  const together = readLists();
  if (pos !== end) throw corrupt('trailing bytes');
  return { index, ids, items: n, similar, together };
}

/**
 * Decodes and validates the popularity file of a model: the most popular
 * items, best first.
 *
 * @throws LikewiseError `INVALID_MODEL` (`Model file <name> is ...`).
 * @example const trending = decodePopularity(bytes, manifest);
 */
export function decodePopularity(bytes: Uint8Array, manifest: Manifest): ModelList {
  const { file, bytes: size, checksum } = manifest.popularity;
  checkFile('Model', file, bytes.length, size, () => hex8(fnv1a(bytes)) === checksum);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw fileError('Model', file, 'is corrupt: not JSON');
  }
  const v = value as { format?: unknown; version?: unknown; ids?: unknown; scores?: unknown };
  if (typeof value !== 'object' || value === null || v.format !== 'likewise-popularity')
    throw fileError('Model', file, 'is not a likewise popularity file');
  if (v.version !== MODEL_VERSION)
    throw fileError('Model', file, otherVersion(v.version, MODEL_VERSION));
  const { ids, scores } = v;
  if (
    !Array.isArray(ids) ||
    !Array.isArray(scores) ||
    ids.length !== scores.length ||
    !ids.every((id) => typeof id === 'string') ||
    !scores.every((s) => typeof s === 'number' && Number.isFinite(s))
  ) {
    throw fileError('Model', file, 'is corrupt: ids and scores do not match');
  }
  return { ids: ids as string[], scores: Float32Array.from(scores as number[]) };
}
