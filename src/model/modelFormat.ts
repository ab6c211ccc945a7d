/**
 * The model file format: a JSON manifest, binary neighbour shards and a JSON
 * popularity file. Written by `encodeModel.ts` (`likewise train`), read by
 * `decodeModel.ts` (the model loader, in the browser and in Node); both pure,
 * no I/O, the same code in Node and in the browser.
 *
 * Items are hashed into shards (FNV-1a of the UTF-8 id, mod the shard
 * count: `shardOf.ts`), so a page fetches only the shards of the items it
 * shows. Shard `s` is the file `<dir><s>.bin` beside the manifest, where
 * `dir` is `model-<id>/` and `<id>` the FNV-1a of every shard's checksum: a
 * new model gets new URLs, so every shard can be cached forever. The
 * manifest has the same size whatever the shard count (no list per shard):
 * each shard carries its own size, checksum and model id instead, so the
 * shard count can follow the item count and shards stay small (a page pays
 * one shard per item it asks about).
 *
 * Shard layout (little-endian, version 2):
 *
 * | bytes | field |
 * |---|---|
 * | 4 | magic `LWSH` |
 * | 1 | version (2) |
 * | 1 | score bits (8 or 16) |
 * | 2 | reserved (0) |
 * | 4 | model id (the manifest's `id`) |
 * | 4 | shard index |
 * | 4 | shard count |
 * | 4 | bytes of the whole file |
 * | 4 | FNV-1a 32 of every byte after this field |
 * | 4 | n: items owned by the shard |
 * | 4 | m: ids in the shard's id table (the n owned items first) |
 * | 4 | B: bytes of the UTF-8 id block |
 * | 2 x m varints | per id (owned items first, then the ids their lists use, each part sorted): code units shared with the previous id, then the length of the rest (UTF-16 code units) |
 * | B | the rest of every id, concatenated, UTF-8 (front coding) |
 * | 2 x n lists | `similar` lists of the n items, then `together` lists: varint count c; if c > 0, float32 row max, c varint id-table indexes, c scores as uint8/uint16 fractions of the row max |
 */
import type { ModelConfig } from '../engine/tune';
import type { ManifestCatalog } from './encodeCatalog';

/** The manifest's `format` value. */
export const MODEL_FORMAT = 'likewise-model';
/** The model file version this code writes and reads. */
export const MODEL_VERSION = 2;

/** The first four bytes of every shard. */
export const SHARD_MAGIC: readonly number[] = [0x4c, 0x57, 0x53, 0x48]; // "LWSH"
/** Bytes of a shard's fixed header (the table's first twelve rows). */
export const HEADER_BYTES = 40;
/** Where a shard's checksum is, and what it covers: every byte after it. */
export const CHECKSUM_AT = 24;
/** Where a shard's model id is (written once every shard's checksum is known). */
export const MODEL_ID_AT = 8;
/** Where a shard's byte length is. */
export const LENGTH_AT = 20;
/** Shards in a model at most. */
export const MAX_SHARDS: number = 2 ** 24;

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
  /** The model's id: FNV-1a 32 of every shard's checksum (8 hex digits each, in order), 8 hex digits. */
  id: string;
  /** The shards' folder, relative to the manifest: `model-<id>/`; shard `s` is `<dir><s>.bin`. */
  dir: string;
  /** Bytes of all shards (informational: nothing reads it to load the model). */
  bytes: number;
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

/** One file of an encoded model. */
export interface ModelFile {
  name: string;
  bytes: Uint8Array;
}

/** The file of shard `s`, relative to the manifest. */
export function shardFile(manifest: Pick<Manifest, 'dir'>, s: number): string {
  return `${manifest.dir}${s}.bin`;
}

/** `n` as 8 lowercase hex digits (how checksums are written). */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
