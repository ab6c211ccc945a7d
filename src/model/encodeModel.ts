/**
 * The model file format: a JSON manifest, binary neighbour shards and a JSON
 * popularity file. Pure encode and decode, no I/O, the same code in Node
 * (`likewise train`) and in the browser (the model loader).
 *
 * Items are hashed into shards (FNV-1a of the UTF-8 id, mod the shard
 * count), so a page fetches only the shards of the items it shows.
 *
 * Shard layout (little-endian, version 1):
 *
 * | bytes | field |
 * |---|---|
 * | 4 | magic `LWSH` |
 * | 1 | version (1) |
 * | 1 | score bits (8 or 16) |
 * | 2 | reserved (0) |
 * | 4 | shard index |
 * | 4 | shard count |
 * | 4 | n: items owned by the shard |
 * | 4 | m: ids in the shard's id table (the n owned items first) |
 * | 4 | B: bytes of the UTF-8 id block |
 * | 2 x m varints | per id (owned items first, then the ids their lists use, each part sorted): code units shared with the previous id, then the length of the rest (UTF-16 code units) |
 * | B | the rest of every id, concatenated, UTF-8 (front coding) |
 * | 2 x n lists | `similar` lists of the n items, then `together` lists: varint count c; if c > 0, float32 row max, c varint id-table indexes, c scores as uint8/uint16 fractions of the row max |
 */
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import { shardOf } from './shardOf';

export { shardOf } from './shardOf';
/** FNV-1a 32 of bytes, unsigned (the one in `src/shared/fnv1a.ts`). */
export { fnv1a };

import type { ManifestCatalog } from './encodeCatalog';

/** The manifest's `format` value. */
export const MODEL_FORMAT = 'likewise-model';
/** The model file version this code writes and reads. */
export const MODEL_VERSION = 1;

const SHARD_MAGIC = [0x4c, 0x57, 0x53, 0x48]; // "LWSH"
const HEADER_BYTES = 28;

/** Where the popularity (trending) list lives. */
export interface ManifestPopularity {
  file: string;
  checksum: string;
  bytes: number;
  /** Items listed (the most popular, best first). */
  items: number;
  /** Decay half-life used, in days; absent for plain distinct-user counts. */
  halfLifeDays?: number;
}

/** `manifest.json`: what a model is made of. */
export interface Manifest {
  format: typeof MODEL_FORMAT;
  version: typeof MODEL_VERSION;
  /** ISO date of the build. */
  createdAt: string;
  /** Items in the model. */
  items: number;
  /** Shard count S: item `id` lives in shard `shardOf(id, S)`. */
  shards: number;
  hash: 'fnv1a';
  /** Neighbours kept per item (similar). */
  k: number;
  similarity: string;
  /** Bits per stored score: 8 or 16 (fractions of each list's max). */
  scoreBits: 8 | 16;
  /** Shard file names (relative to the manifest), by shard index. */
  files: string[];
  /** FNV-1a 32 of each shard file, 8 hex digits, by shard index. */
  checksums: string[];
  /** Byte length of each shard file, by shard index. */
  sizes: number[];
  /** Bought-together lists (from these event types only), stored in the shards beside `similar`. */
  together: { k: number; types: string[] };
  popularity: ManifestPopularity;
  /** The catalogue shards beside the model (`likewise train --catalog`, `likewise catalog`). */
  catalog?: ManifestCatalog;
  /** Free-form build facts (events, users, pairs...). */
  stats?: Record<string, number>;
  /**
   * The configuration `likewise train --tune` chose; the SDK's for-you
   * scores the visitor's history with its `recencyHalfLife` and `weights`.
   */
  config?: ModelConfig;
}

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

/** A neighbour model in CSR form (the engine's `Neighbours`). */
export interface ModelNeighbours {
  itemIds: string[];
  offsets: Uint32Array;
  indices: Uint32Array;
  scores: Float32Array;
}

/** What {@link encodeModel} needs. */
export interface ModelInput {
  /** Similar-item neighbours. */
  neighbours: ModelNeighbours;
  /** Bought-together neighbours over the same `itemIds`. Default: none. */
  together?: ModelNeighbours;
  /** Popularity by item index (e.g. `buildPopularity`). Default: none (empty list). */
  popularity?: ArrayLike<number>;
  /** Neighbours kept per item, recorded in the manifest. */
  k: number;
  similarity: string;
  /** Together lists' K and event types, recorded in the manifest. */
  togetherK?: number;
  togetherTypes?: string[];
  /** Recorded in the manifest. */
  popularityHalfLifeDays?: number;
  stats?: Record<string, number>;
  /** Recorded in the manifest (see {@link Manifest.config}). */
  config?: ModelConfig;
}

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** Shard count. Default: chosen so shards are about `targetShardBytes`. */
  shards?: number;
  /** Default 32 000: a visitor's for-you needs about one shard per recent item, so shards stay small. */
  targetShardBytes?: number;
  /** 8 (default: no measurable ranking loss) or 16. */
  scoreBits?: 8 | 16;
  /** Most popular items listed in the popularity file. Default 1000. */
  popularityItems?: number;
  /** Build time. Default now. */
  createdAt?: Date;
  /**
   * The shard files, already encoded for `shards` shards by
   * {@link encodeShardRange} (for instance in parts, on worker threads).
   * Default: encoded here.
   */
  shardBytes?: readonly Uint8Array[];
}

/** One file of an encoded model. */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** What {@link encodeModel} returns: the manifest and every file, `manifest.json` last. */
export interface EncodedModel {
  manifest: Manifest;
  files: ModelFile[];
}

/** `n` as 8 lowercase hex digits (how checksums are written). */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** A growable byte buffer with varint and float writers. */
class ByteWriter {
  bytes = new Uint8Array(1 << 14);
  length = 0;
  private view = new DataView(this.bytes.buffer);

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): void {
    this.ensure(1);
    this.bytes[this.length++] = v;
  }

  u16(v: number): void {
    this.ensure(2);
    this.view.setUint16(this.length, v, true);
    this.length += 2;
  }

  u32(v: number): void {
    this.ensure(4);
    this.view.setUint32(this.length, v, true);
    this.length += 4;
  }

  f32(v: number): void {
    this.ensure(4);
    this.view.setFloat32(this.length, v, true);
    this.length += 4;
  }

  varint(v: number): void {
    this.ensure(5);
    while (v >= 0x80) {
      this.bytes[this.length++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    this.bytes[this.length++] = v;
  }

  /** `src[start, end)`, byte by byte: cheaper than a subarray for a few bytes. */
  copy(src: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) bytes[at++] = src[i];
    this.length = at;
  }

  raw(b: Uint8Array): void {
    this.ensure(b.length);
    this.bytes.set(b, this.length);
    this.length += b.length;
  }

  result(): Uint8Array {
    return this.bytes.slice(0, this.length);
  }
}

/** Items of every shard, in item index order. */
function groupByShard(itemIds: readonly string[], shards: number): Uint32Array[] {
  const of = new Uint32Array(itemIds.length);
  const counts = new Uint32Array(shards);
  for (let i = 0; i < itemIds.length; i++) {
    of[i] = shardOf(itemIds[i], shards);
    counts[of[i]]++;
  }
  const groups = Array.from({ length: shards }, (_, s) => new Uint32Array(counts[s]));
  const fill = new Uint32Array(shards);
  for (let i = 0; i < itemIds.length; i++) groups[of[i]][fill[of[i]]++] = i;
  return groups;
}

/**
 * Every item's rank in code-unit order of the ids, and the item of each
 * rank: sorted once, so each shard sorts its ids as numbers (a native
 * typed-array sort) instead of comparing strings.
 */
interface IdOrder {
  rank: Uint32Array;
  byRank: Uint32Array;
}

function idOrder(itemIds: readonly string[]): IdOrder {
  const byRank = Uint32Array.from({ length: itemIds.length }, (_, i) => i).sort((a, b) =>
    itemIds[a] < itemIds[b] ? -1 : itemIds[a] > itemIds[b] ? 1 : a - b,
  );
  const rank = new Uint32Array(itemIds.length);
  for (let r = 0; r < byRank.length; r++) rank[byRank[r]] = r;
  return { rank, byRank };
}

/** `items` sorted by id (code-unit order), as an array. */
function sortedById(items: ArrayLike<number>, order: IdOrder): number[] {
  const ranks = new Uint32Array(items.length);
  for (let x = 0; x < items.length; x++) ranks[x] = order.rank[items[x]];
  ranks.sort();
  const out = new Array<number>(items.length);
  for (let x = 0; x < items.length; x++) out[x] = order.byRank[ranks[x]];
  return out;
}

/** Every id's bytes, back to back (id i is `bytes[starts[i], starts[i + 1])`), when all are ASCII. */
interface AsciiIds {
  bytes: Uint8Array;
  starts: Uint32Array;
}

/** The ids as {@link AsciiIds}, or undefined when one has a code unit above 0x7f. */
function asciiIds(itemIds: readonly string[]): AsciiIds | undefined {
  let total = 0;
  for (const id of itemIds) total += id.length;
  const bytes = new Uint8Array(total);
  const starts = new Uint32Array(itemIds.length + 1);
  let at = 0;
  for (let i = 0; i < itemIds.length; i++) {
    const id = itemIds[i];
    starts[i] = at;
    for (let c = 0; c < id.length; c++) {
      const code = id.charCodeAt(c);
      if (code > 0x7f) return undefined;
      bytes[at++] = code;
    }
  }
  starts[itemIds.length] = at;
  return { bytes, starts };
}

/** Encodes one shard; `local` is scratch of length itemIds.length filled with -1. */
function encodeShard(
  index: number,
  shards: number,
  own: Uint32Array,
  input: ModelInput,
  scoreBits: 8 | 16,
  local: Int32Array,
  order: IdOrder,
  ascii: AsciiIds | undefined,
): Uint8Array {
  const { itemIds } = input.neighbours;
  const lists = input.together ? [input.neighbours, input.together] : [input.neighbours];
  // Owned items first, then the ids their lists mention; each part sorted,
  // so neighbouring ids share prefixes (front coding below).
  const owned = sortedById(own, order);
  const others: number[] = [];
  for (const i of owned) local[i] = 0;
  for (const nb of lists) {
    for (const i of owned) {
      for (let p = nb.offsets[i]; p < nb.offsets[i + 1]; p++) {
        const j = nb.indices[p];
        if (local[j] < 0) {
          local[j] = 0;
          others.push(j);
        }
      }
    }
  }
  const table = owned.concat(sortedById(others, order));
  for (let t = 0; t < table.length; t++) local[table[t]] = t;
  const w = new ByteWriter();
  for (const b of SHARD_MAGIC) w.u8(b);
  w.u8(MODEL_VERSION);
  w.u8(scoreBits);
  w.u16(0);
  w.u32(index);
  w.u32(shards);
  w.u32(own.length);
  w.u32(table.length);
  const blockAt = w.length;
  w.u32(0);
  if (ascii) {
    // ASCII ids: a code unit is a byte, so prefixes are compared and
    // suffixes copied as bytes, the same output without a string per id.
    const { bytes, starts } = ascii;
    const block = new ByteWriter();
    let prevStart = 0;
    let prevEnd = 0;
    for (const t of table) {
      const start = starts[t];
      const end = starts[t + 1];
      const max = Math.min(end - start, prevEnd - prevStart);
      let p = 0;
      while (p < max && bytes[start + p] === bytes[prevStart + p]) p++;
      w.varint(p);
      w.varint(end - start - p);
      block.copy(bytes, start + p, end);
      prevStart = start;
      prevEnd = end;
    }
    new DataView(w.bytes.buffer).setUint32(blockAt, block.length, true);
    w.raw(block.bytes.subarray(0, block.length));
  } else {
    const suffixes: string[] = [];
    let previous = '';
    for (const t of table) {
      const id = itemIds[t];
      let p = 0;
      const max = Math.min(id.length, previous.length);
      while (p < max && id.charCodeAt(p) === previous.charCodeAt(p)) p++;
      // Never split a surrogate pair: the suffix must be valid UTF-16 on its own.
      const last = id.charCodeAt(p - 1);
      if (p > 0 && last >= 0xd800 && last < 0xdc00) p--;
      w.varint(p);
      w.varint(id.length - p);
      suffixes.push(id.slice(p));
      previous = id;
    }
    const block = new TextEncoder().encode(suffixes.join(''));
    new DataView(w.bytes.buffer).setUint32(blockAt, block.length, true);
    w.raw(block);
  }
  const qmax = scoreBits === 8 ? 255 : 65535;
  for (let l = 0; l < 2; l++) {
    const nb = lists[l];
    for (let x = 0; x < own.length; x++) {
      const i = owned[x];
      const a = nb ? nb.offsets[i] : 0;
      const b = nb ? nb.offsets[i + 1] : 0;
      w.varint(b - a);
      if (b === a || !nb) continue;
      let max = 0;
      for (let p = a; p < b; p++) max = Math.max(max, nb.scores[p]);
      w.f32(max);
      for (let p = a; p < b; p++) w.varint(local[nb.indices[p]]);
      for (let p = a; p < b; p++) {
        // Never 0: a kept neighbour stays a (weak) recommendation.
        const q = max > 0 ? Math.max(1, Math.round((nb.scores[p] / max) * qmax)) : qmax;
        if (scoreBits === 8) w.u8(q);
        else w.u16(q);
      }
    }
  }
  for (const i of table) local[i] = -1;
  return w.result();
}

/** The shard count and score width a model will be encoded with. */
export interface ShardLayout {
  shards: number;
  scoreBits: 8 | 16;
}

/**
 * The shard count and score width {@link encodeModel} uses for `input` with
 * `options` (sizing the shards from a sample when `options.shards` is not
 * given), so shards can be encoded elsewhere with {@link encodeShardRange}.
 *
 * @throws LikewiseError `INVALID_OPTION` for a bad shard count or score width.
 * @example const { shards, scoreBits } = shardLayout(input, { scoreBits: 8 });
 */
export function shardLayout(input: ModelInput, options: EncodeModelOptions = {}): ShardLayout {
  return layoutWith(input, options);
}

function layoutWith(input: ModelInput, options: EncodeModelOptions, order?: IdOrder): ShardLayout {
  const itemCount = input.neighbours.itemIds.length;
  const scoreBits = options.scoreBits ?? 8;
  if (scoreBits !== 8 && scoreBits !== 16) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `scoreBits must be 8 or 16, got ${String(scoreBits)}`,
    );
  }
  if (
    options.shards !== undefined &&
    !(Number.isInteger(options.shards) && options.shards >= 1 && options.shards <= 65536)
  ) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `shards must be an integer from 1 to 65536, got ${String(options.shards)}`,
    );
  }
  if (options.shards !== undefined) return { shards: options.shards, scoreBits };
  // Measure one shard at ~400 items per shard, then size shards to the target.
  const target = options.targetShardBytes ?? 32_000;
  const guess = Math.max(1, Math.ceil(itemCount / 400));
  const sample = encodeRange(
    input,
    guess,
    scoreBits,
    0,
    1,
    order ?? idOrder(input.neighbours.itemIds),
  )[0];
  const total = sample.length * guess;
  return { shards: Math.max(1, Math.min(65536, Math.round(total / target))), scoreBits };
}

/**
 * Encodes shards `[from, to)` of a model of `shards` shards: the same bytes
 * {@link encodeModel} writes for them, so parts encoded on several threads
 * join into the model (`options.shardBytes`).
 *
 * @example const bytes = encodeShardRange(input, shards, 8, 0, shards >> 1);
 */
export function encodeShardRange(
  input: ModelInput,
  shards: number,
  scoreBits: 8 | 16,
  from: number,
  to: number,
): Uint8Array[] {
  return encodeRange(input, shards, scoreBits, from, to, idOrder(input.neighbours.itemIds));
}

function encodeRange(
  input: ModelInput,
  shards: number,
  scoreBits: 8 | 16,
  from: number,
  to: number,
  order: IdOrder,
): Uint8Array[] {
  const groups = groupByShard(input.neighbours.itemIds, shards);
  const local = new Int32Array(input.neighbours.itemIds.length).fill(-1);
  const out: Uint8Array[] = [];
  const ascii = asciiIds(input.neighbours.itemIds);
  for (let s = Math.max(0, from); s < Math.min(shards, to); s++)
    out.push(encodeShard(s, shards, groups[s], input, scoreBits, local, order, ascii));
  return out;
}

/**
 * Encodes a model into its files: `manifest.json`, one binary shard per
 * `shards` (named with their checksum, so a CDN can cache them forever) and
 * `popularity.json`.
 *
 * @param input - Neighbour lists (similar, together) and popularity over the same item ids.
 * @param options - See {@link EncodeModelOptions}.
 * @throws LikewiseError `INVALID_OPTION` for a bad shard count or score width.
 * @example
 * const { manifest, files } = encodeModel({ neighbours, together, popularity, k: 50, similarity: 'cosine' });
 */
export function encodeModel(input: ModelInput, options: EncodeModelOptions = {}): EncodedModel {
  const itemCount = input.neighbours.itemIds.length;
  // Sorted once for the sample and the shards (it compares every id).
  const idRank = options.shardBytes ? undefined : idOrder(input.neighbours.itemIds);
  const { shards, scoreBits } = layoutWith(input, options, idRank);
  let shardBytes = options.shardBytes;
  if (shardBytes === undefined)
    shardBytes = encodeRange(input, shards, scoreBits, 0, shards, idRank as IdOrder);
  else if (shardBytes.length !== shards)
    throw new LikewiseError(
      'INVALID_OPTION',
      `shardBytes must hold ${shards} shards, got ${shardBytes.length}`,
    );
  const files: ModelFile[] = [];
  const checksums: string[] = [];
  const names: string[] = [];
  const sizes: number[] = [];
  const digits = String(shards - 1).length;
  shardBytes.forEach((bytes, s) => {
    const checksum = hex8(fnv1a(bytes));
    const name = `shard-${String(s).padStart(digits, '0')}-${checksum}.bin`;
    files.push({ name, bytes });
    checksums.push(checksum);
    names.push(name);
    sizes.push(bytes.length);
  });

  const topN = options.popularityItems ?? 1000;
  const pop = input.popularity;
  const order: number[] = [];
  if (pop) {
    for (let i = 0; i < itemCount; i++) if (pop[i] > 0) order.push(i);
    const ids = input.neighbours.itemIds;
    order.sort((a, b) => pop[b] - pop[a] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    order.length = Math.min(order.length, topN);
  }
  const popularityJson = JSON.stringify({
    format: 'likewise-popularity',
    version: MODEL_VERSION,
    ids: order.map((i) => input.neighbours.itemIds[i]),
    scores: order.map((i) => Math.fround(pop![i])),
  });
  const popBytes = new TextEncoder().encode(popularityJson);
  const popChecksum = hex8(fnv1a(popBytes));
  const popName = `popularity-${popChecksum}.json`;
  files.push({ name: popName, bytes: popBytes });

  const manifest: Manifest = {
    format: MODEL_FORMAT,
    version: MODEL_VERSION,
    createdAt: (options.createdAt ?? new Date()).toISOString(),
    items: itemCount,
    shards,
    hash: 'fnv1a',
    k: input.k,
    similarity: input.similarity,
    scoreBits,
    files: names,
    checksums,
    sizes,
    together: {
      k: input.togetherK ?? 0,
      types: input.togetherTypes ?? [],
    },
    popularity: {
      file: popName,
      checksum: popChecksum,
      bytes: popBytes.length,
      items: order.length,
      ...(input.popularityHalfLifeDays !== undefined
        ? { halfLifeDays: input.popularityHalfLifeDays }
        : {}),
    },
    ...(input.stats ? { stats: input.stats } : {}),
    ...(input.config ? { config: input.config } : {}),
  };
  files.push({
    name: 'manifest.json',
    bytes: new TextEncoder().encode(`${JSON.stringify(manifest, null, 1)}\n`),
  });
  return { manifest, files };
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
