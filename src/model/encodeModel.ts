/**
 * Writes a model's files (format: `modelFormat.ts`): the binary shards, the
 * popularity file and the manifest, from neighbour lists in CSR form. Pure,
 * no I/O: `likewise train` writes what it returns.
 */
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { fnv1a } from '../shared/fnv1a';
import {
  CHECKSUM_AT,
  hex8,
  LENGTH_AT,
  MAX_SHARDS,
  type Manifest,
  MODEL_FORMAT,
  MODEL_ID_AT,
  MODEL_VERSION,
  type ModelFile,
  SHARD_MAGIC,
  shardFile,
} from './modelFormat';
import { shardOf } from './shardOf';

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

/**
 * The shard size aimed at by default, in bytes: a few items' lists each
 * (about 400 bytes an item with K = 50), so the count follows the item count
 * and the manifest, which lists no shard, stays the same size.
 */
export const DEFAULT_SHARD_BYTES = 4000;

/** Options of {@link encodeModel}. */
export interface EncodeModelOptions {
  /** Shard count. Default: chosen so shards are about `targetShardBytes`. */
  shards?: number;
  /**
   * Default {@link DEFAULT_SHARD_BYTES}: for-you fetches one shard per recent
   * item, a product page one, so a shard's size is what each costs.
   */
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

/** What {@link encodeModel} returns: the manifest and every file, `manifest.json` last. */
export interface EncodedModel {
  manifest: Manifest;
  files: ModelFile[];
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
  // The model id, the byte length and the checksum, filled in below and in encodeModel.
  w.u32(0);
  w.u32(index);
  w.u32(shards);
  w.u32(0);
  w.u32(0);
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
  const out = w.result();
  const view = new DataView(out.buffer);
  view.setUint32(LENGTH_AT, out.length, true);
  view.setUint32(CHECKSUM_AT, fnv1a(out.subarray(CHECKSUM_AT + 4)), true);
  return out;
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
    !(Number.isInteger(options.shards) && options.shards >= 1 && options.shards <= MAX_SHARDS)
  ) {
    throw new LikewiseError(
      'INVALID_OPTION',
      `shards must be an integer from 1 to ${MAX_SHARDS}, got ${String(options.shards)}`,
    );
  }
  if (options.shards !== undefined) return { shards: options.shards, scoreBits };
  // Size a first guess of the count from a few of its shards (small shards
  // share fewer ids, so each item costs more in them), then size the
  // shards to the target from it.
  const target = options.targetShardBytes ?? DEFAULT_SHARD_BYTES;
  const guess = Math.max(1, Math.ceil((itemCount * 400) / target));
  const sample = Math.min(guess, 16);
  const bytes = encodeRange(
    input,
    guess,
    scoreBits,
    0,
    sample,
    order ?? idOrder(input.neighbours.itemIds),
  ).reduce((a, b) => a + b.length, 0);
  const total = (bytes / sample) * guess;
  return { shards: Math.max(1, Math.min(MAX_SHARDS, Math.round(total / target))), scoreBits };
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
 * Encodes a model into its files: `manifest.json`, the shards in
 * `model-<id>/` (named after their content, so a CDN can cache them
 * forever) and `popularity-<checksum>.json`. Shards given in
 * `options.shardBytes` get the model id written into their header.
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
  // The model's id (from the checksums, which skip it) goes into every
  // shard's header, so a shard of another model is refused.
  const checksums = shardBytes.map((b) =>
    hex8(new DataView(b.buffer, b.byteOffset).getUint32(CHECKSUM_AT, true)),
  );
  const idNumber = fnv1a(new TextEncoder().encode(checksums.join('')));
  const id = hex8(idNumber);
  const dir = `model-${id}/`;
  const files: ModelFile[] = [];
  let shardTotal = 0;
  shardBytes.forEach((bytes, s) => {
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(MODEL_ID_AT, idNumber, true);
    files.push({ name: shardFile({ dir }, s), bytes });
    shardTotal += bytes.length;
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
    // Four significant digits: the list's order is the ranking, and the
    // scores, for blending, lose nothing that shows while taking a third
    // of the bytes of float32 printed in full.
    scores: order.map((i) => Number(pop![i].toPrecision(4))),
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
    id,
    dir,
    bytes: shardTotal,
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
