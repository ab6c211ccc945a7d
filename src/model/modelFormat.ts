/**
 * The model file format: a JSON manifest, binary neighbour shards and a JSON
 * popularity file. Written by `encodeModel.ts` (`likewise train`), read by
 * `decodeModel.ts` (the model loader, in the browser and in Node); both pure,
 * no I/O, the same code in Node and in the browser.
 *
 * Items are hashed into shards (FNV-1a of the UTF-8 id, mod the shard
 * count: `shardOf.ts`), so a page fetches only the shards of the items it
 * shows. Shard `s` is the file `<dir><s>.json` beside the manifest, where
 * `dir` is `model-<id>/` and `<id>` the FNV-1a of the format, version and every shard's checksum (`folderId`): a
 * new model gets new URLs, so every shard can be cached forever. The
 * manifest has the same size whatever the shard count (no list per shard):
 * each shard carries its own size, checksum and model id instead, so the
 * shard count can follow the item count and shards stay small (a page pays
 * one shard per item it asks about).
 *
 * Every file but the manifest is one JSON array in the container of
 * `decodeFile.ts` (a header line with the file's format, version, size and
 * checksum, checked before the rest is parsed), so the browser reads it
 * with `JSON.parse` and a few checks instead of a binary decoder. Version 3:
 *
 * ```
 * [{"format":"likewise-model","version":3,"id":"<model id>","shard":s,"shards":S,"bytes":B,"checksum":"<fnv1a>"},
 * 255,["sku-1","sku-4",...],
 * [[0.8,"sku-9",255,"sku-2",131],0,...],
 * [0,[0.5,"sku-2",255],...]]
 * ```
 *
 * After the header: Q, the scores' scale (255, or 65535 with `scoreBits:
 * 16`); the ids of the n items the shard owns, sorted; their `similar`
 * lists; their `together` lists. A list is `0` (none) or `[max, id, q, id,
 * q, ...]`, best first: neighbour `id` scores `q / Q * max`, `q` an integer
 * from 1 to Q and `max` the row's best score. Neighbours are named by id,
 * not through a table of the shard's ids: few are named twice in a shard,
 * so a table would cost an index beside each id.
 *
 * The popularity file `popularity-<checksum>.json` is
 * `[{"format":"likewise-popularity","version":3,"id":"<model id>",...},\n1,[1,id,score,id,score,...]]`:
 * a list as in the shards with Q = 1 and max = 1 (so the scores as they
 * are, to 4 significant digits), the most popular items first.
 */
import type { ModelConfig } from '../engine/tune';
import type { ManifestCatalog } from './catalogFormat';

/** The manifest's `format` value, and the model shards'. */
export const MODEL_FORMAT = 'likewise-model';
/** The model file version this code writes and reads. */
export const MODEL_VERSION = 3;
/** The popularity file's `format`. */
export const POPULARITY_FORMAT = 'likewise-popularity';

/** Shards in a model at most. */
export const MAX_SHARDS: number = 2 ** 24;

/** Where the popularity (trending) list lives. */
export interface ManifestPopularity {
  /** `popularity-<checksum>.json`, beside the manifest. */
  file: string;
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
  /** Bits per stored score, 8 or 16 (fractions of each list's max): informational, the shards carry their scale. */
  scoreBits: 8 | 16;
  /** The model's id: FNV-1a 32 of `likewise-model/<version>:` and every shard's checksum (8 hex digits each, in order), 8 hex digits (`folderId`). */
  id: string;
  /** The shards' folder, relative to the manifest: `model-<id>/`; shard `s` is `<dir><s>.json`. */
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
  return `${manifest.dir}${s}.json`;
}

/** `n` as 8 lowercase hex digits (how checksums are written). */
export function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}
