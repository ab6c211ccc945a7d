/**
 * Writes a model's files (format: `modelFormat.ts`): the binary shards, the
 * popularity file and the manifest, from neighbour lists in CSR form. Pure,
 * no I/O: `likewise train` writes what it returns.
 */
import type { ModelConfig } from '../engine/tune';
import { LikewiseError } from '../errors';
import { bodyBytes, checksumOf, encodeFile, folderId } from './encodeFile';
import {
  MAX_SHARDS,
  type Manifest,
  MODEL_FORMAT,
  MODEL_VERSION,
  type ModelFile,
  POPULARITY_FORMAT,
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

/** Every id as a JSON string in UTF-8, back to back: id i is `bytes[starts[i], starts[i + 1])`. */
interface JsonIds {
  bytes: Uint8Array;
  starts: Uint32Array;
}

function jsonIds(itemIds: readonly string[]): JsonIds {
  const encoder = new TextEncoder();
  const starts = new Uint32Array(itemIds.length + 1);
  let bytes = new Uint8Array(1 << 16);
  let at = 0;
  for (let i = 0; i < itemIds.length; i++) {
    const json = JSON.stringify(itemIds[i]);
    // Up to 3 bytes per UTF-16 code unit.
    if (at + 3 * json.length > bytes.length) {
      const next = new Uint8Array(Math.max(2 * bytes.length, at + 3 * json.length));
      next.set(bytes.subarray(0, at));
      bytes = next;
    }
    starts[i] = at;
    at += encoder.encodeInto(json, bytes.subarray(at)).written;
  }
  starts[itemIds.length] = at;
  return { bytes, starts };
}

/** A growable byte buffer for JSON text: bytes, ASCII text and integers written as digits. */
class JsonWriter {
  bytes = new Uint8Array(1 << 14);
  length = 0;

  ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, this.length + extra));
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  /** ASCII text (digits, brackets, commas, numbers printed by JavaScript). */
  ascii(text: string): void {
    this.ensure(text.length);
    for (let c = 0; c < text.length; c++) this.bytes[this.length++] = text.charCodeAt(c);
  }

  /** A comma, then integer `v` >= 0 in decimal. */
  commaInt(v: number): void {
    this.ensure(12);
    const bytes = this.bytes;
    bytes[this.length++] = 0x2c;
    let digits = 1;
    for (let x = v; x >= 10; x = Math.floor(x / 10)) digits++;
    let at = this.length + digits;
    this.length = at;
    do {
      bytes[--at] = 0x30 + (v % 10);
      v = Math.floor(v / 10);
    } while (v > 0);
  }

  /** `src[start, end)`, byte by byte: cheaper than a subarray for a few bytes. */
  copy(src: Uint8Array, start: number, end: number): void {
    this.ensure(end - start);
    const bytes = this.bytes;
    let at = this.length;
    for (let i = start; i < end; i++) bytes[at++] = src[i];
    this.length = at;
  }
}

/** Encodes the body of one shard (format: `modelFormat.ts`). */
function encodeShard(
  own: Uint32Array,
  input: ModelInput,
  scoreBits: 8 | 16,
  order: IdOrder,
  ids: JsonIds,
): Uint8Array {
  // Sorted: neighbouring ids share their starts, which compresses well.
  const owned = sortedById(own, order);
  const qmax = scoreBits === 8 ? 255 : 65535;
  const w = new JsonWriter();
  const id = (i: number) => w.copy(ids.bytes, ids.starts[i], ids.starts[i + 1]);
  w.ascii(`${qmax},[`);
  owned.forEach((i, x) => {
    if (x) w.ascii(',');
    id(i);
  });
  w.ascii(']');
  for (const nb of [input.neighbours, input.together]) {
    w.ascii(',\n[');
    owned.forEach((i, x) => {
      if (x) w.ascii(',');
      const a = nb ? nb.offsets[i] : 0;
      const b = nb ? nb.offsets[i + 1] : 0;
      if (a === b) {
        w.ascii('0');
        return;
      }
      let max = 0;
      for (let p = a; p < b; p++) max = Math.max(max, nb!.scores[p]);
      // About float32's precision: every score of the row is a fraction of it.
      w.ascii(`[${Number(max.toPrecision(7))}`);
      for (let p = a; p < b; p++) {
        w.ascii(',');
        id(nb!.indices[p]);
        // Never 0: a kept neighbour stays a (weak) recommendation.
        w.commaInt(max > 0 ? Math.max(1, Math.round((nb!.scores[p] / max) * qmax)) : qmax);
      }
      w.ascii(']');
    });
    w.ascii(']');
  }
  w.ascii(']\n');
  return w.bytes.slice(0, w.length);
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
  const guess = Math.max(1, Math.ceil((itemCount * 1500) / target));
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
  const out: Uint8Array[] = [];
  const ids = jsonIds(input.neighbours.itemIds);
  for (let s = Math.max(0, from); s < Math.min(shards, to); s++)
    out.push(encodeShard(groups[s], input, scoreBits, order, ids));
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
  // The model's id (from the bodies' checksums) goes into every file's
  // header, so a shard of another model is refused.
  const ids = input.neighbours.itemIds;
  const sums = shardBytes.map(checksumOf);
  const id = folderId(MODEL_FORMAT, MODEL_VERSION, sums);
  const dir = `model-${id}/`;
  const files: ModelFile[] = [];
  let shardTotal = 0;
  shardBytes.forEach((body, s) => {
    const bytes = encodeFile(MODEL_FORMAT, MODEL_VERSION, { id, shard: s, shards }, body, sums[s]);
    files.push({ name: shardFile({ dir }, s), bytes });
    shardTotal += bytes.length;
  });

  const topN = options.popularityItems ?? 1000;
  const pop = input.popularity;
  const order: number[] = [];
  if (pop) {
    for (let i = 0; i < itemCount; i++) if (pop[i] > 0) order.push(i);
    order.sort((a, b) => pop[b] - pop[a] || (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : 0));
    order.length = Math.min(order.length, topN);
  }
  // A list as in the shards, with Q = 1 and max = 1: each score as it is,
  // to four significant digits (the list's order is the ranking, and the
  // scores, for blending, lose nothing that shows while taking a third of
  // the bytes of float32 printed in full).
  const popBody = bodyBytes(
    `1,${JSON.stringify([1, ...order.flatMap((i) => [ids[i], Number(pop![i].toPrecision(4))])])}`,
  );
  const popName = `popularity-${checksumOf(popBody)}.json`;
  files.push({
    name: popName,
    bytes: encodeFile(POPULARITY_FORMAT, MODEL_VERSION, { id }, popBody),
  });

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
