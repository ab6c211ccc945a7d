// Which shard of a model holds an item: a module of its own, so the script-tag
// core can name the shards of a page's items before the decoder has loaded.
import { fnv1aUtf8 } from '../shared/fnv1a';

/**
 * The shard an item lives in: FNV-1a 32 of its UTF-8 bytes, mod `shards`.
 * Computed from the string without allocating.
 *
 * @example shardOf('sku-1', 16) // an integer in [0, 16)
 */
export function shardOf(itemId: string, shards: number): number {
  return fnv1aUtf8(itemId) % shards;
}
