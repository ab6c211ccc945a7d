/**
 * FNV-1a 32 over the UTF-16 code units of `text` (one step per unit), as a
 * signed int32: cheaper than UTF-8 where only this code reads the hash (the
 * experiment's groups, in the measurement part).
 *
 * A module of its own, with FNV-1a's offset basis and prime written here
 * rather than imported from ./fnv1a (test/shared/fnv1a.test.ts holds the two
 * hashes equal on ASCII): a bundler puts a module that two parts import in a
 * chunk of its own, and ./fnv1a is the widget part's. Importing it here cost
 * every Vite page with widgets a request and about 65 B gzip.
 *
 * @example fnv1aUtf16('a') >>> 0 // 0xe40c292c
 */
export function fnv1aUtf16(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h;
}
