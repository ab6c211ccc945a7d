/**
 * Reads and validates model files written by `encodeModel.ts` (format:
 * `modelFormat.ts`): the manifest, a shard, the popularity file. A foreign,
 * truncated or corrupt file is refused with `INVALID_MODEL`.
 */
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import {
  HEADER_BYTES,
  hex8,
  type Manifest,
  MODEL_FORMAT,
  MODEL_VERSION,
  SHARD_MAGIC,
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

const isCount = (v: unknown, min = 0): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min;
const isStrings = (v: unknown, n: number): v is string[] =>
  Array.isArray(v) && v.length === n && v.every((x) => typeof x === 'string' && x !== '');

/**
 * Checks a parsed `manifest.json` and returns it typed. Refuses a foreign
 * file, another version, or missing or inconsistent fields.
 *
 * @param value - The parsed JSON.
 * @param source - Where it came from, for messages (a URL or path).
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Not a likewise model manifest: <source>.`,
 *   `Unsupported model version <v> in <source>: this likewise reads version 1.`,
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
  if (!isCount(m.items)) throw bad('items', 'must be an integer >= 0');
  if (!isCount(m.shards, 1) || m.shards > 65536) {
    throw bad('shards', 'must be an integer from 1 to 65536');
  }
  if (m.hash !== 'fnv1a') throw bad('hash', "must be 'fnv1a'");
  if (m.scoreBits !== 8 && m.scoreBits !== 16) throw bad('scoreBits', 'must be 8 or 16');
  if (!isStrings(m.files, m.shards)) throw bad('files', 'must list one file name per shard');
  if (!isStrings(m.checksums, m.shards) || !m.checksums.every((c) => /^[0-9a-f]{8}$/.test(c))) {
    throw bad('checksums', 'must list one 8-digit hex checksum per shard');
  }
  if (
    !Array.isArray(m.sizes) ||
    m.sizes.length !== m.shards ||
    !m.sizes.every((s) => isCount(s, HEADER_BYTES))
  ) {
    throw bad('sizes', 'must list one byte size per shard');
  }
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

/** Checks a downloaded file's size and checksum against the manifest. */
function checkBytes(bytes: Uint8Array, name: string, size: number, checksum: string): void {
  if (bytes.length < size) {
    throw invalid(`Model file ${name} is truncated: ${bytes.length} of ${size} bytes.`);
  }
  if (bytes.length > size) {
    throw invalid(`Model file ${name} is corrupt: ${bytes.length} bytes, expected ${size}.`);
  }
  if (hex8(fnv1a(bytes)) !== checksum) {
    throw invalid(`Model file ${name} is corrupt: checksum mismatch.`);
  }
}

/**
 * Decodes and validates shard `index` of a model.
 *
 * @param bytes - The file's bytes.
 * @param manifest - The model's manifest (gives the name, size and checksum to check against).
 * @param index - Which shard this should be.
 * @throws LikewiseError `INVALID_MODEL`:
 *   `Model file <name> is not a likewise shard.`,
 *   `Model file <name> has version <v>: this likewise reads version 1.`,
 *   `Model file <name> is truncated: <got> of <size> bytes.`,
 *   `Model file <name> is corrupt: checksum mismatch.` (or another reason).
 * @example const shard = decodeShard(new Uint8Array(await res.arrayBuffer()), manifest, 3);
 */
export function decodeShard(bytes: Uint8Array, manifest: Manifest, index: number): DecodedShard {
  const name = manifest.files[index];
  if (bytes.length < 5) checkBytes(bytes, name, manifest.sizes[index], manifest.checksums[index]);
  for (let i = 0; i < 4; i++) {
    if (bytes[i] !== SHARD_MAGIC[i]) throw invalid(`Model file ${name} is not a likewise shard.`);
  }
  if (bytes[4] !== MODEL_VERSION) {
    throw invalid(
      `Model file ${name} has version ${bytes[4]}: this likewise reads version ${MODEL_VERSION}.`,
    );
  }
  checkBytes(bytes, name, manifest.sizes[index], manifest.checksums[index]);
  const corrupt = (why: string) => invalid(`Model file ${name} is corrupt: ${why}.`);
  if (bytes.length < HEADER_BYTES) throw corrupt('header too short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const scoreBits = bytes[5];
  if (scoreBits !== manifest.scoreBits) throw corrupt('score width differs from the manifest');
  if (view.getUint32(8, true) !== index || view.getUint32(12, true) !== manifest.shards) {
    throw corrupt('shard index or count differs from the manifest');
  }
  const n = view.getUint32(16, true);
  const m = view.getUint32(20, true);
  const blockBytes = view.getUint32(24, true);
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
    let indices = new Uint32Array(64);
    let scores = new Float32Array(64);
    let kept = 0;
    for (let x = 0; x < n; x++) {
      offsets[x] = kept;
      const c = varint();
      if (c === 0) continue;
      if (c > m || pos + 4 > end) throw corrupt('unexpected end of data');
      const max = view.getFloat32(pos, true);
      pos += 4;
      if (kept + c > indices.length) {
        const size = Math.max(indices.length * 2, kept + c);
        const ni = new Uint32Array(size);
        ni.set(indices);
        indices = ni;
        const ns = new Float32Array(size);
        ns.set(scores);
        scores = ns;
      }
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
  checkBytes(bytes, file, size, checksum);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    throw invalid(`Model file ${file} is corrupt: not JSON.`);
  }
  const v = value as { format?: unknown; version?: unknown; ids?: unknown; scores?: unknown };
  if (typeof value !== 'object' || value === null || v.format !== 'likewise-popularity') {
    throw invalid(`Model file ${file} is not a likewise popularity file.`);
  }
  if (v.version !== MODEL_VERSION) {
    throw invalid(
      `Model file ${file} has version ${String(v.version)}: this likewise reads version ${MODEL_VERSION}.`,
    );
  }
  const { ids, scores } = v;
  if (
    !Array.isArray(ids) ||
    !Array.isArray(scores) ||
    ids.length !== scores.length ||
    !ids.every((id) => typeof id === 'string') ||
    !scores.every((s) => typeof s === 'number' && Number.isFinite(s))
  ) {
    throw invalid(`Model file ${file} is corrupt: ids and scores do not match.`);
  }
  return { ids: ids as string[], scores: Float32Array.from(scores as number[]) };
}
