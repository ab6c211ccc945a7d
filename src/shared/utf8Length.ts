/**
 * UTF-8 length of a string without allocating, as `TextEncoder` would write
 * it (a lone surrogate as the 3 bytes of U+FFFD).
 *
 * @example utf8Length('€') // 3
 */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c < 0xdc00 && c >= 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}
