/**
 * Selection of the best K (score, item) pairs. "Better" is a higher score,
 * then a lower id rank (ties by id): a total order, so results never depend
 * on the order candidates come in.
 */

/** Is pair a better than pair b? */
function better(sa: number, ia: number, sb: number, ib: number, rank: ArrayLike<number>): boolean {
  return sa > sb || (sa === sb && rank[ia] < rank[ib]);
}

function swap(scores: Float64Array, items: Int32Array, x: number, y: number): void {
  const ts = scores[x];
  const ti = items[x];
  scores[x] = scores[y];
  items[x] = items[y];
  scores[y] = ts;
  items[y] = ti;
}

/** Puts entries x, y, z in best-first order (the median ends in y). */
function order3(
  scores: Float64Array,
  items: Int32Array,
  rank: ArrayLike<number>,
  x: number,
  y: number,
  z: number,
): void {
  if (better(scores[y], items[y], scores[x], items[x], rank)) swap(scores, items, x, y);
  if (better(scores[z], items[z], scores[y], items[y], rank)) {
    swap(scores, items, y, z);
    if (better(scores[y], items[y], scores[x], items[x], rank)) swap(scores, items, x, y);
  }
}

/**
 * Hoare partition of `[lo, hi]` around its median of three; returns [a, b]:
 * entries up to b are not worse than the pivot, entries from a not better.
 */
function partition(
  scores: Float64Array,
  items: Int32Array,
  rank: ArrayLike<number>,
  lo: number,
  hi: number,
): [number, number] {
  const mid = (lo + hi) >>> 1;
  order3(scores, items, rank, lo, mid, hi);
  const ps = scores[mid];
  const pi = items[mid];
  let a = lo;
  let b = hi;
  while (a <= b) {
    while (better(scores[a], items[a], ps, pi, rank)) a++;
    while (better(ps, pi, scores[b], items[b], rank)) b--;
    if (a <= b) {
      swap(scores, items, a, b);
      a++;
      b--;
    }
  }
  return [a, b];
}

/** Sorts `[lo, hi]` best first: quicksort down to short ranges, then insertion sort. */
function sortRange(
  scores: Float64Array,
  items: Int32Array,
  rank: ArrayLike<number>,
  lo: number,
  hi: number,
): void {
  while (hi - lo > 12) {
    const [a, b] = partition(scores, items, rank, lo, hi);
    // Recurse into the smaller side, loop on the larger: depth O(log n).
    if (b - lo < hi - a) {
      sortRange(scores, items, rank, lo, b);
      lo = a;
    } else {
      sortRange(scores, items, rank, a, hi);
      hi = b;
    }
  }
  insertionSort(scores, items, rank, lo, hi);
}

/**
 * Sorts `[lo, hi]` best first by insertion: linear when the range is already
 * nearly in order (e.g. grouped by score bucket), quadratic otherwise.
 */
export function insertionSort(
  scores: Float64Array,
  items: Int32Array,
  rank: ArrayLike<number>,
  lo: number,
  hi: number,
): void {
  for (let x = lo + 1; x <= hi; x++) {
    const s = scores[x];
    const it = items[x];
    let y = x - 1;
    while (y >= lo && better(s, it, scores[y], items[y], rank)) {
      scores[y + 1] = scores[y];
      items[y + 1] = items[y];
      y--;
    }
    scores[y + 1] = s;
    items[y + 1] = it;
  }
}

/**
 * Puts the best `need` pairs of `[from, to)` best first at `[from, from +
 * need)` (quickselect, then a sort of the survivors only). The pairs must be
 * distinct items.
 */
export function selectBest(
  scores: Float64Array,
  items: Int32Array,
  rank: ArrayLike<number>,
  from: number,
  to: number,
  need: number,
): void {
  if (need <= 0 || to <= from) return;
  const end = Math.min(to, from + need) - 1;
  if (to - from > need) {
    // Narrow to the side that holds position `end`.
    let lo = from;
    let hi = to - 1;
    while (hi > lo) {
      const [a, b] = partition(scores, items, rank, lo, hi);
      if (end <= b) hi = b;
      else if (end >= a) lo = a;
      else break;
    }
  }
  sortRange(scores, items, rank, from, end);
}

/**
 * Bounded selection of the best K pairs for short lists (a user's top 10): a
 * min-heap whose root is the worst kept pair, so most candidates are refused
 * by one comparison against {@link TopK.threshold}. Reused across users: no
 * allocation per candidate.
 */
export class TopK {
  /** Capacity. */
  readonly k: number;
  /** Kept pairs, heap-ordered until {@link TopK.sorted} is called. */
  readonly scores: Float64Array;
  readonly items: Int32Array;
  size = 0;
  private readonly rank: ArrayLike<number>;

  /** @param rank id rank of every item index (lower wins ties). */
  constructor(k: number, rank: ArrayLike<number>) {
    this.k = k;
    this.rank = rank;
    this.scores = new Float64Array(Math.max(1, k));
    this.items = new Int32Array(Math.max(1, k));
  }

  /** Forgets every kept pair. */
  clear(): void {
    this.size = 0;
  }

  /** Offers one candidate. */
  push(item: number, score: number): void {
    const { scores, items, rank } = this;
    if (this.size < this.k) {
      // Sift up.
      let c = this.size++;
      while (c > 0) {
        const p = (c - 1) >> 1;
        const ps = scores[p];
        if (ps < score || (ps === score && rank[items[p]] > rank[item])) break;
        scores[c] = ps;
        items[c] = items[p];
        c = p;
      }
      scores[c] = score;
      items[c] = item;
      return;
    }
    if (this.k === 0) return;
    const rs = scores[0];
    if (score < rs || (score === rs && rank[item] > rank[items[0]])) return;
    // Replace the root and sift down.
    const n = this.size;
    let c = 0;
    for (;;) {
      let m = 2 * c + 1;
      if (m >= n) break;
      const r = m + 1;
      if (r < n) {
        const ms = scores[m];
        const rs2 = scores[r];
        if (rs2 < ms || (rs2 === ms && rank[items[r]] > rank[items[m]])) m = r;
      }
      const ms = scores[m];
      if (ms > score || (ms === score && rank[items[m]] < rank[item])) break;
      scores[c] = ms;
      items[c] = items[m];
      c = m;
    }
    scores[c] = score;
    items[c] = item;
  }

  /**
   * The worst kept score, or -Infinity while fewer than K are kept: a
   * candidate below it cannot enter.
   */
  threshold(): number {
    return this.size < this.k ? Number.NEGATIVE_INFINITY : this.scores[0];
  }

  /** Sorts the kept pairs best first in place and returns how many there are. */
  sorted(): number {
    // Heap sort: repeatedly move the worst to the end.
    const { scores, items, rank } = this;
    const total = this.size;
    for (let n = total; n > 1; n--) {
      const ws = scores[0];
      const wi = items[0];
      const ls = scores[n - 1];
      const li = items[n - 1];
      let c = 0;
      const m = n - 1;
      for (;;) {
        let ch = 2 * c + 1;
        if (ch >= m) break;
        const r = ch + 1;
        if (r < m) {
          const cs = scores[ch];
          const rs = scores[r];
          if (rs < cs || (rs === cs && rank[items[r]] > rank[items[ch]])) ch = r;
        }
        const cs = scores[ch];
        if (cs > ls || (cs === ls && rank[items[ch]] < rank[li])) break;
        scores[c] = cs;
        items[c] = items[ch];
        c = ch;
      }
      scores[c] = ls;
      items[c] = li;
      scores[n - 1] = ws;
      items[n - 1] = wi;
    }
    this.size = 0;
    return total;
  }
}
