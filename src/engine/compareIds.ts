/**
 * The one order of item ids that every tie in the engine falls back to, so
 * the same input always gives the same output whatever the platform.
 */

const DIGITS = /^(0|[1-9][0-9]*)$/;

/**
 * Compares two item ids: canonical non-negative integers ("7", "42") come
 * first in numeric order, every other id after them in code-unit order. This
 * is "ascending item id" as a numeric catalogue means it (7 before 42) while
 * staying a total order for any string.
 *
 * @returns negative when `a` sorts first, positive when `b` does, 0 when equal.
 * @example ['10', '9', 'b', 'a'].sort(compareIds) // ['9', '10', 'a', 'b']
 */
export function compareIds(a: string, b: string): number {
  if (a === b) return 0;
  const na = DIGITS.test(a);
  const nb = DIGITS.test(b);
  if (na !== nb) return na ? -1 : 1;
  if (na && a.length !== b.length) return a.length - b.length;
  return a < b ? -1 : 1;
}

/**
 * The rank of every id in {@link compareIds} order (0 = first), so hot loops
 * break ties with one integer comparison instead of a string comparison.
 *
 * @example idRanks(['b', '10', '9']) // Uint32Array [2, 1, 0]
 */
export function idRanks(ids: readonly string[]): Uint32Array {
  const n = ids.length;
  // compareIds with each id's test done once instead of per comparison.
  const numeric = new Uint8Array(n);
  let numbers = 0;
  for (let i = 0; i < n; i++) {
    const id = ids[i];
    numeric[i] = Number(DIGITS.test(id));
    numbers += Number(numeric[i] === 1 && id.length <= SHORT_NUMBER);
  }
  const ranks = new Uint32Array(n);
  if (numbers === n && n <= INDEX_MASK) {
    // Short numbers only: keys number · 2^22 + index are exact doubles
    // below 2^52, in compareIds order with ties by index: a typed sort.
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = Number(ids[i]) * (INDEX_MASK + 1) + i;
    keys.sort();
    for (let r = 0; r < n; r++) ranks[keys[r] % (INDEX_MASK + 1)] = r;
    return ranks;
  }
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((x, y) => {
    const a = ids[x];
    const b = ids[y];
    if (numeric[x] !== numeric[y]) return numeric[y] - numeric[x];
    if (numeric[x] === 1 && a.length !== b.length) return a.length - b.length;
    return a < b ? -1 : a > b ? 1 : x - y;
  });
  for (let r = 0; r < n; r++) ranks[order[r]] = r;
  return ranks;
}

/** Numbers of at most this many digits are below 10^9 < 2^30. */
const SHORT_NUMBER = 9;
/** Room for an index beside such a number in a double's 53 bits: 22 bits. */
const INDEX_MASK = 2 ** 22 - 1;
