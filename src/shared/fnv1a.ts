/**
 * FNV-1a, 32 bits: the one hash for shard placement, checksums, group
 * assignment (its UTF-16 form in ./fnv1aUtf16) and the id tables of
 * `train`. Dependency-free, like the schema.
 * Hot parsing loops that hash while they scan use {@link FNV_OFFSET} and
 * {@link FNV_PRIME} with `Math.imul(h ^ byte, FNV_PRIME)`, the same steps.
 */

/** The FNV-1a 32 offset basis: the hash of no bytes. */
export const FNV_OFFSET = 0x811c9dc5;
/** The FNV-1a 32 prime. */
export const FNV_PRIME = 0x01000193;

/**
 * FNV-1a 32 of `bytes[start, end)`, unsigned.
 *
 * @example fnv1a(new TextEncoder().encode('a')) // 0xe40c292c
 */
export function fnv1a(bytes: Uint8Array, start = 0, end: number = bytes.length): number {
  let h = FNV_OFFSET;
  for (let i = start; i < end; i++) h = Math.imul(h ^ bytes[i], FNV_PRIME);
  return h >>> 0;
}

/**
 * FNV-1a 32 of the UTF-8 bytes of `text` (a lone surrogate as U+FFFD, as
 * `TextEncoder` writes it), unsigned, computed without allocating.
 *
 * @example fnv1aUtf8('a') === fnv1a(new TextEncoder().encode('a')) // true
 */
export function fnv1aUtf8(text: string): number {
  let h = FNV_OFFSET;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      h = Math.imul(h ^ c, FNV_PRIME);
      continue;
    }
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
        i++;
      }
    }
    if (c >= 0xd800 && c < 0xe000) c = 0xfffd; // lone surrogate: what TextEncoder writes
    if (c < 0x800) {
      h = Math.imul(h ^ (0xc0 | (c >> 6)), FNV_PRIME);
    } else {
      if (c < 0x10000) {
        h = Math.imul(h ^ (0xe0 | (c >> 12)), FNV_PRIME);
      } else {
        h = Math.imul(h ^ (0xf0 | (c >> 18)), FNV_PRIME);
        h = Math.imul(h ^ (0x80 | ((c >> 12) & 0x3f)), FNV_PRIME);
      }
      h = Math.imul(h ^ (0x80 | ((c >> 6) & 0x3f)), FNV_PRIME);
    }
    h = Math.imul(h ^ (0x80 | (c & 0x3f)), FNV_PRIME);
  }
  return h >>> 0;
}
