// Which shard of a model holds an item: a module of its own, so the script-tag
// core can name the shards of a page's items before the decoder has loaded.
import { fnv1a } from '../shared/fnv1a';

let utf8: TextEncoder | undefined;

/**
 * The shard an item lives in: FNV-1a 32 of its UTF-8 bytes, mod `shards`.
 * Through `TextEncoder` (a lone surrogate as U+FFFD), as `fnv1aUtf8`
 * computes it without allocating: one hash function less in the widget
 * file, at the cost of a small array per call (a page asks about dozens of
 * items, a model build once per item).
 *
 * @example shardOf('sku-1', 16) // an integer in [0, 16)
 */
export function shardOf(itemId: string, shards: number): number {
  utf8 ??= new TextEncoder();
  return fnv1a(utf8.encode(itemId)) % shards;
}
