/**
 * How much each item of a visitor's history counts when scoring: its event
 * type's weight times a recency factor, so the latest things the visitor did
 * steer the recommendations most (the strongest single lever offline: the
 * next item is most like the last few, not like the average of a history).
 */

/** Default recency half-life, in history steps (see {@link recencyWeights}). */
export const DEFAULT_RECENCY_HALF_LIFE = 1;

/**
 * Writes into `out[0..n)` the recency factor of each of `n` history entries
 * with times `times[0..n)`: `0.5 ^ (step / halfLife)` where `step` is how
 * many entries are strictly more recent. Entries with equal times (one
 * basket, one batch of ratings) share a step, so the order of a file never
 * decides between them. `halfLife` = Infinity gives every entry 1.
 */
export function recencyWeights(
  times: ArrayLike<number>,
  n: number,
  halfLife: number,
  out: Float64Array,
  scratch: Uint32Array,
): void {
  if (!(halfLife < Number.POSITIVE_INFINITY)) {
    out.fill(1, 0, n);
    return;
  }
  // Sort entry indexes by time, newest first (insertion sort for short
  // histories, the built-in sort otherwise).
  for (let x = 0; x < n; x++) scratch[x] = x;
  const order = scratch.subarray(0, n);
  if (n <= 32) {
    for (let a = 1; a < n; a++) {
      const v = order[a];
      const tv = times[v];
      let b = a - 1;
      while (b >= 0 && times[order[b]] < tv) {
        order[b + 1] = order[b];
        b--;
      }
      order[b + 1] = v;
    }
  } else {
    order.sort((a, b) => times[b] - times[a]);
  }
  const rate = Math.LN2 / halfLife;
  let step = 0;
  for (let x = 0; x < n; x++) {
    if (x > 0 && times[order[x]] !== times[order[x - 1]]) step = x;
    out[order[x]] = Math.exp(-rate * step);
  }
}
