// Which shard of a model holds an item: a module of its own, so the script-tag
// core can name the shards of a page's items before the decoder has loaded.

/**
 * The shard an item lives in: FNV-1a 32 of its UTF-8 bytes, mod `shards`.
 * Computed from the string without allocating.
 *
 * @example shardOf('sku-1', 16) // an integer in [0, 16)
 */
export function shardOf(itemId: string, shards: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < itemId.length; i++) {
    let c = itemId.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, 0x01000193);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < itemId.length) {
      const d = itemId.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // lone surrogate: what TextEncoder writes
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), 0x01000193);
    } else {
      if (c < 0x10000) {
        h = Math.imul(h ^ (0xe0 | (c >> 12)), 0x01000193);
      } else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), 0x01000193);
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), 0x01000193);
      }
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), 0x01000193);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), 0x01000193);
  }
  return (h >>> 0) % shards;
}
