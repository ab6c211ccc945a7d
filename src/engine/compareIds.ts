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
  const order = Array.from({ length: ids.length }, (_, i) => i);
  order.sort((x, y) => compareIds(ids[x], ids[y]) || x - y);
  const ranks = new Uint32Array(ids.length);
  for (let r = 0; r < order.length; r++) ranks[order[r]] = r;
  return ranks;
}
